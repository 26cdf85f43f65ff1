CREATE TABLE "signing_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"key_id" text NOT NULL,
	"vendor" text NOT NULL,
	"public_key" text NOT NULL,
	"created_by" uuid,
	"created_by_name" text,
	"created_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "software_packages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"vendor" text NOT NULL,
	"kind" text NOT NULL,
	"version" text NOT NULL,
	"filename" text NOT NULL,
	"bytes" integer NOT NULL,
	"sha256" text NOT NULL,
	"signature" text NOT NULL,
	"key_id" text NOT NULL,
	"models" jsonb NOT NULL,
	"min_os_version" text,
	"notes_zh" text NOT NULL,
	"notes_en" text NOT NULL,
	"data" "bytea" NOT NULL,
	"created_by" uuid,
	"created_by_name" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "signing_keys_org_key" ON "signing_keys" USING btree ("org_id","key_id");--> statement-breakpoint
CREATE UNIQUE INDEX "software_packages_org_version" ON "software_packages" USING btree ("org_id","vendor","kind","version");