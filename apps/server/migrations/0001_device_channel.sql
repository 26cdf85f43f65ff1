CREATE TABLE "command_acks" (
	"org_id" uuid NOT NULL,
	"terminal_id" uuid NOT NULL,
	"msg_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"command_id" uuid NOT NULL,
	"status" text NOT NULL,
	"detail" text,
	CONSTRAINT "command_acks_terminal_id_msg_id_pk" PRIMARY KEY("terminal_id","msg_id")
);
--> statement-breakpoint
CREATE TABLE "device_credentials" (
	"terminal_id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"secret_hash" text NOT NULL,
	"enrolled_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_connected_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "device_events" (
	"org_id" uuid NOT NULL,
	"terminal_id" uuid NOT NULL,
	"msg_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"code" text,
	"message" text,
	CONSTRAINT "device_events_terminal_id_msg_id_pk" PRIMARY KEY("terminal_id","msg_id")
);
--> statement-breakpoint
CREATE TABLE "enrollment_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"code_hash" text NOT NULL,
	"label" text,
	"max_uses" integer DEFAULT 1 NOT NULL,
	"uses" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "enrollment_codes_code_hash_unique" UNIQUE("code_hash")
);
--> statement-breakpoint
CREATE TABLE "rejected_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid,
	"terminal_id" uuid,
	"channel" text NOT NULL,
	"topic" text,
	"reason" text NOT NULL,
	"detail" text,
	"size_bytes" integer NOT NULL,
	"sample" text,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "telemetry_hour" (
	"org_id" uuid NOT NULL,
	"terminal_id" uuid NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"samples" integer NOT NULL,
	"battery_sum" double precision DEFAULT 0 NOT NULL,
	"battery_n" integer DEFAULT 0 NOT NULL,
	"temp_sum" double precision DEFAULT 0 NOT NULL,
	"temp_max" double precision,
	"temp_n" integer DEFAULT 0 NOT NULL,
	"signal_sum" double precision DEFAULT 0 NOT NULL,
	"signal_n" integer DEFAULT 0 NOT NULL,
	"latency_sum" double precision DEFAULT 0 NOT NULL,
	"latency_n" integer DEFAULT 0 NOT NULL,
	"loss_sum" double precision DEFAULT 0 NOT NULL,
	"loss_n" integer DEFAULT 0 NOT NULL,
	"chip_attempts" integer DEFAULT 0 NOT NULL,
	"chip_failures" integer DEFAULT 0 NOT NULL,
	"ctls_attempts" integer DEFAULT 0 NOT NULL,
	"ctls_failures" integer DEFAULT 0 NOT NULL,
	"mag_attempts" integer DEFAULT 0 NOT NULL,
	"mag_failures" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "telemetry_hour_terminal_id_bucket_pk" PRIMARY KEY("terminal_id","bucket")
);
--> statement-breakpoint
CREATE TABLE "telemetry_minute" (
	"org_id" uuid NOT NULL,
	"terminal_id" uuid NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"samples" integer NOT NULL,
	"battery_sum" double precision DEFAULT 0 NOT NULL,
	"battery_n" integer DEFAULT 0 NOT NULL,
	"temp_sum" double precision DEFAULT 0 NOT NULL,
	"temp_max" double precision,
	"temp_n" integer DEFAULT 0 NOT NULL,
	"signal_sum" double precision DEFAULT 0 NOT NULL,
	"signal_n" integer DEFAULT 0 NOT NULL,
	"latency_sum" double precision DEFAULT 0 NOT NULL,
	"latency_n" integer DEFAULT 0 NOT NULL,
	"loss_sum" double precision DEFAULT 0 NOT NULL,
	"loss_n" integer DEFAULT 0 NOT NULL,
	"chip_attempts" integer DEFAULT 0 NOT NULL,
	"chip_failures" integer DEFAULT 0 NOT NULL,
	"ctls_attempts" integer DEFAULT 0 NOT NULL,
	"ctls_failures" integer DEFAULT 0 NOT NULL,
	"mag_attempts" integer DEFAULT 0 NOT NULL,
	"mag_failures" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "telemetry_minute_terminal_id_bucket_pk" PRIMARY KEY("terminal_id","bucket")
);
--> statement-breakpoint
CREATE TABLE "telemetry_raw" (
	"org_id" uuid NOT NULL,
	"terminal_id" uuid NOT NULL,
	"msg_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"data" jsonb NOT NULL,
	CONSTRAINT "telemetry_raw_terminal_id_msg_id_pk" PRIMARY KEY("terminal_id","msg_id")
);
--> statement-breakpoint
CREATE TABLE "terminal_live" (
	"terminal_id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"last_telemetry_at" timestamp with time zone,
	"telemetry" jsonb,
	"health" text DEFAULT 'ok' NOT NULL,
	"health_reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"app_version" text,
	"os_version" text
);
--> statement-breakpoint
CREATE TABLE "transactions" (
	"org_id" uuid NOT NULL,
	"terminal_id" uuid NOT NULL,
	"msg_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"txn_id" text,
	"stan" text,
	"rrn" text,
	"amount_minor" bigint,
	"currency" text,
	"entry_mode" text NOT NULL,
	"outcome" text NOT NULL,
	"response_code" text,
	"tvr" text,
	"tsi" text,
	"card_token" text,
	"duration_ms" integer,
	CONSTRAINT "transactions_terminal_id_msg_id_pk" PRIMARY KEY("terminal_id","msg_id")
);
--> statement-breakpoint
ALTER TABLE "device_credentials" ADD CONSTRAINT "device_credentials_terminal_id_terminals_id_fk" FOREIGN KEY ("terminal_id") REFERENCES "public"."terminals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrollment_codes" ADD CONSTRAINT "enrollment_codes_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminal_live" ADD CONSTRAINT "terminal_live_terminal_id_terminals_id_fk" FOREIGN KEY ("terminal_id") REFERENCES "public"."terminals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "command_acks_command" ON "command_acks" USING btree ("command_id");--> statement-breakpoint
CREATE INDEX "device_events_terminal_at" ON "device_events" USING btree ("terminal_id","at");--> statement-breakpoint
CREATE INDEX "rejected_org_at" ON "rejected_messages" USING btree ("org_id","received_at");--> statement-breakpoint
CREATE INDEX "rejected_at" ON "rejected_messages" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "telemetry_raw_terminal_at" ON "telemetry_raw" USING btree ("terminal_id","at");--> statement-breakpoint
CREATE INDEX "telemetry_raw_received" ON "telemetry_raw" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "terminal_live_org_seen" ON "terminal_live" USING btree ("org_id","last_seen_at");--> statement-breakpoint
CREATE INDEX "transactions_terminal_at" ON "transactions" USING btree ("terminal_id","at");--> statement-breakpoint
CREATE INDEX "transactions_card" ON "transactions" USING btree ("card_token","at");