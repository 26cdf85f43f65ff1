CREATE TABLE "commands" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"terminal_id" uuid NOT NULL,
	"name" text NOT NULL,
	"args" jsonb,
	"reason" text,
	"requested_by" uuid,
	"requested_by_name" text,
	"created_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "commands" ADD CONSTRAINT "commands_terminal_id_terminals_id_fk" FOREIGN KEY ("terminal_id") REFERENCES "public"."terminals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "commands_terminal_created" ON "commands" USING btree ("terminal_id","created_at");