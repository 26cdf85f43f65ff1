CREATE TABLE "dispute_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"dispute_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"from_value" text,
	"to_value" text,
	"body" text,
	"actor_id" uuid,
	"actor_name" text
);
--> statement-breakpoint
CREATE TABLE "dispute_evidence" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"dispute_id" uuid NOT NULL,
	"item" text,
	"kind" text NOT NULL,
	"body" text,
	"content_type" text,
	"bytes" integer,
	"data" "bytea",
	"created_by" uuid,
	"created_by_name" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "disputes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"network" text NOT NULL,
	"kind" text NOT NULL,
	"reason_code" text NOT NULL,
	"reason_group" text,
	"case_number" text NOT NULL,
	"status" text NOT NULL,
	"unmatched_reason" text,
	"matched_by" text,
	"lookup" jsonb NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"merchant_id" uuid,
	"terminal_id" uuid,
	"stan" text,
	"rrn" text,
	"card_token" text,
	"payment_at" timestamp with time zone,
	"payment_day" text,
	"language" text NOT NULL,
	"note" text,
	"opened_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"fired" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"wake_at" timestamp with time zone,
	"escalated_at" timestamp with time zone,
	"acted_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"duplicate_finding_id" uuid,
	"pack" jsonb,
	"created_by" uuid,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "dispute_events" ADD CONSTRAINT "dispute_events_dispute_id_disputes_id_fk" FOREIGN KEY ("dispute_id") REFERENCES "public"."disputes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispute_evidence" ADD CONSTRAINT "dispute_evidence_dispute_id_disputes_id_fk" FOREIGN KEY ("dispute_id") REFERENCES "public"."disputes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dispute_events_dispute" ON "dispute_events" USING btree ("dispute_id","at");--> statement-breakpoint
CREATE INDEX "dispute_evidence_dispute" ON "dispute_evidence" USING btree ("dispute_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "disputes_org_case" ON "disputes" USING btree ("org_id","network","case_number","kind");--> statement-breakpoint
CREATE INDEX "disputes_org_status_due" ON "disputes" USING btree ("org_id","status","due_at");--> statement-breakpoint
CREATE INDEX "disputes_merchant_status" ON "disputes" USING btree ("merchant_id","status");--> statement-breakpoint
CREATE INDEX "disputes_wake" ON "disputes" USING btree ("wake_at");