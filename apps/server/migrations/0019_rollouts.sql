CREATE TABLE "rollout_targets" (
	"rollout_id" uuid NOT NULL,
	"terminal_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"wave" integer NOT NULL,
	"state" text NOT NULL,
	"command_id" uuid,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "rollout_targets_rollout_id_terminal_id_pk" PRIMARY KEY("rollout_id","terminal_id")
);
--> statement-breakpoint
CREATE TABLE "rollouts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"package_id" uuid NOT NULL,
	"filter" jsonb NOT NULL,
	"waves" jsonb NOT NULL,
	"state" text NOT NULL,
	"current_wave" integer,
	"matched" integer NOT NULL,
	"excluded" integer NOT NULL,
	"created_by" uuid,
	"created_by_name" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "rollout_targets" ADD CONSTRAINT "rollout_targets_rollout_id_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."rollouts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollout_targets" ADD CONSTRAINT "rollout_targets_terminal_id_terminals_id_fk" FOREIGN KEY ("terminal_id") REFERENCES "public"."terminals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_package_id_software_packages_id_fk" FOREIGN KEY ("package_id") REFERENCES "public"."software_packages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rollout_targets_terminal" ON "rollout_targets" USING btree ("terminal_id");--> statement-breakpoint
CREATE INDEX "rollouts_org_created" ON "rollouts" USING btree ("org_id","created_at");