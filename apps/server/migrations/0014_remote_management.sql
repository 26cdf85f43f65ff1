CREATE TABLE "command_batches" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"args" jsonb,
	"filter" jsonb NOT NULL,
	"reason" text,
	"total" integer NOT NULL,
	"requested_by" uuid,
	"requested_by_name" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "log_bundles" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"terminal_id" uuid NOT NULL,
	"command_id" uuid,
	"filename" text NOT NULL,
	"content_type" text NOT NULL,
	"bytes" integer NOT NULL,
	"data" "bytea" NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "command_acks" ADD COLUMN "result" jsonb;--> statement-breakpoint
ALTER TABLE "commands" ADD COLUMN "batch_id" uuid;--> statement-breakpoint
ALTER TABLE "log_bundles" ADD CONSTRAINT "log_bundles_terminal_id_terminals_id_fk" FOREIGN KEY ("terminal_id") REFERENCES "public"."terminals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "command_batches_org_created" ON "command_batches" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "log_bundles_terminal_created" ON "log_bundles" USING btree ("terminal_id","created_at");--> statement-breakpoint
CREATE INDEX "log_bundles_created" ON "log_bundles" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "commands_batch" ON "commands" USING btree ("batch_id");