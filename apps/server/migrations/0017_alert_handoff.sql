CREATE TABLE "alert_handoff" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"partition" integer NOT NULL,
	"records" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "alert_handoff_partition" ON "alert_handoff" USING btree ("partition","id");