CREATE TABLE "merchant_contacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"merchant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"mobile" text NOT NULL,
	"language" "language" DEFAULT 'zh-CN' NOT NULL,
	"topics" text[] NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notify_channels" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"language" "language" DEFAULT 'zh-CN' NOT NULL,
	"min_severity" text DEFAULT 'warning' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"credentials" text NOT NULL,
	"credential_hint" text NOT NULL,
	"recent_sends" timestamp with time zone[] DEFAULT '{}'::timestamptz[] NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oncall_rotations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"team" text NOT NULL,
	"time_zone" text NOT NULL,
	"handover_time" text NOT NULL,
	"shift_days" integer DEFAULT 7 NOT NULL,
	"starts_on" text NOT NULL,
	"members" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sms_templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"channel_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"language" "language" NOT NULL,
	"template_code" text NOT NULL,
	"params" text[] NOT NULL
);
--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "channel_id" uuid;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "batched_into" uuid;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "digest_key" text;--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD COLUMN "quiet_start" text;--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD COLUMN "quiet_end" text;--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD COLUMN "time_zone" text;--> statement-breakpoint
ALTER TABLE "merchant_contacts" ADD CONSTRAINT "merchant_contacts_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notify_channels" ADD CONSTRAINT "notify_channels_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oncall_rotations" ADD CONSTRAINT "oncall_rotations_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sms_templates" ADD CONSTRAINT "sms_templates_channel_id_notify_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."notify_channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "merchant_contacts_merchant" ON "merchant_contacts" USING btree ("org_id","merchant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sms_templates_channel_purpose_lang" ON "sms_templates" USING btree ("channel_id","purpose","language");--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_channel_id_notify_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."notify_channels"("id") ON DELETE cascade ON UPDATE no action;