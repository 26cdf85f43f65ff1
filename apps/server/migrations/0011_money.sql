CREATE TABLE "host_records" (
	"org_id" uuid NOT NULL,
	"id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"terminal_id" uuid NOT NULL,
	"merchant_id" uuid,
	"type" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"entry_mode" text NOT NULL,
	"card_token" text,
	"stan" text NOT NULL,
	"rrn" text,
	"auth_code" text,
	"outcome" text NOT NULL,
	"response_code" text,
	"original_stan" text,
	"original_rrn" text,
	"mcc" text,
	"origin" text NOT NULL,
	"mti" text,
	CONSTRAINT "host_records_org_id_id_at_pk" PRIMARY KEY("org_id","id","at")
);
--> statement-breakpoint
CREATE TABLE "risk_blocks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"reason" text,
	"finding_id" uuid,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"removed_at" timestamp with time zone,
	"removed_by" uuid
);
--> statement-breakpoint
CREATE TABLE "txn_finding_notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"finding_id" uuid NOT NULL,
	"author_id" uuid,
	"author_name" text,
	"body" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "txn_findings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"key" text NOT NULL,
	"code" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"merchant_id" uuid,
	"terminal_id" uuid,
	"card_token" text,
	"amount_minor" bigint NOT NULL,
	"currency" text,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"txn_ids" jsonb NOT NULL,
	"summary_zh" text NOT NULL,
	"summary_en" text NOT NULL,
	"action" text NOT NULL,
	"thresholds_version" integer,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_reason" text,
	"assignee_id" uuid,
	"decision" text,
	"decision_note" text,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"ticket_id" uuid,
	"notified_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "txn_threshold_versions" (
	"org_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"overrides" jsonb NOT NULL,
	"note" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "txn_threshold_versions_org_id_version_pk" PRIMARY KEY("org_id","version")
);
--> statement-breakpoint
ALTER TABLE "transactions" ADD COLUMN "type" text DEFAULT 'sale' NOT NULL;--> statement-breakpoint
ALTER TABLE "transactions" ADD COLUMN "auth_code" text;--> statement-breakpoint
ALTER TABLE "transactions" ADD COLUMN "original_stan" text;--> statement-breakpoint
ALTER TABLE "transactions" ADD COLUMN "original_rrn" text;--> statement-breakpoint
ALTER TABLE "transactions" ADD COLUMN "merchant_id" uuid;--> statement-breakpoint
ALTER TABLE "txn_finding_notes" ADD CONSTRAINT "txn_finding_notes_finding_id_txn_findings_id_fk" FOREIGN KEY ("finding_id") REFERENCES "public"."txn_findings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "host_records_terminal_at" ON "host_records" USING btree ("terminal_id","at");--> statement-breakpoint
CREATE INDEX "host_records_terminal_stan" ON "host_records" USING btree ("terminal_id","stan");--> statement-breakpoint
CREATE INDEX "host_records_org_rrn" ON "host_records" USING btree ("org_id","rrn");--> statement-breakpoint
CREATE INDEX "host_records_org_at" ON "host_records" USING btree ("org_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "risk_blocks_active" ON "risk_blocks" USING btree ("org_id","kind","value") WHERE removed_at IS NULL;--> statement-breakpoint
CREATE INDEX "risk_blocks_org_created" ON "risk_blocks" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "txn_finding_notes_finding" ON "txn_finding_notes" USING btree ("finding_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "txn_findings_org_key" ON "txn_findings" USING btree ("org_id","key");--> statement-breakpoint
CREATE INDEX "txn_findings_org_status_code" ON "txn_findings" USING btree ("org_id","status","code");--> statement-breakpoint
CREATE INDEX "txn_findings_merchant_status" ON "txn_findings" USING btree ("merchant_id","status");--> statement-breakpoint
CREATE INDEX "txn_findings_card" ON "txn_findings" USING btree ("org_id","card_token");--> statement-breakpoint
CREATE INDEX "txn_findings_terminal" ON "txn_findings" USING btree ("terminal_id","last_at");--> statement-breakpoint
CREATE INDEX "transactions_terminal_stan" ON "transactions" USING btree ("terminal_id","stan");--> statement-breakpoint
CREATE INDEX "transactions_org_at" ON "transactions" USING btree ("org_id","at");