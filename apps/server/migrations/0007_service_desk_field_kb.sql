CREATE TABLE "depots" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"address" text,
	"region" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kb_article_versions" (
	"article_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"org_id" uuid NOT NULL,
	"snapshot" jsonb NOT NULL,
	"note" text,
	"author" text,
	"author_id" uuid,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "kb_article_versions_article_id_version_pk" PRIMARY KEY("article_id","version")
);
--> statement-breakpoint
CREATE TABLE "kb_articles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"status" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"cause_codes" text[] DEFAULT '{}'::text[] NOT NULL,
	"title" jsonb NOT NULL,
	"summary" jsonb NOT NULL,
	"body" jsonb NOT NULL,
	"steps" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"source_ticket_id" uuid,
	"starter_key" text,
	"search_tokens" text DEFAULT '' NOT NULL,
	"search_vector" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple', search_tokens)) STORED,
	"views" integer DEFAULT 0 NOT NULL,
	"helpful" integer DEFAULT 0 NOT NULL,
	"not_helpful" integer DEFAULT 0 NOT NULL,
	"created_by" text,
	"updated_by" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "kb_feedback" (
	"article_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"helpful" boolean NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "kb_feedback_article_id_user_id_pk" PRIMARY KEY("article_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "kb_images" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"article_id" uuid,
	"content_type" text NOT NULL,
	"bytes" integer NOT NULL,
	"data" "bytea" NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "part_stock" (
	"org_id" uuid NOT NULL,
	"depot_id" uuid NOT NULL,
	"part_id" uuid NOT NULL,
	"quantity" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "part_stock_depot_id_part_id_pk" PRIMARY KEY("depot_id","part_id")
);
--> statement-breakpoint
CREATE TABLE "parts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"sku" text NOT NULL,
	"kind" text NOT NULL,
	"name" jsonb NOT NULL,
	"unit" text DEFAULT 'pcs' NOT NULL,
	"reorder_level" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stock_movements" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"depot_id" uuid NOT NULL,
	"part_id" uuid NOT NULL,
	"delta" integer NOT NULL,
	"reason" text NOT NULL,
	"work_order_id" uuid,
	"ticket_id" uuid,
	"actor" text,
	"actor_id" uuid,
	"note" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "terminal_custody" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"terminal_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"holder_kind" text NOT NULL,
	"holder_id" text,
	"holder_label" text,
	"lifecycle_from" text,
	"lifecycle_to" text,
	"work_order_id" uuid,
	"swap_id" uuid,
	"actor" text,
	"actor_id" uuid,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "terminal_swaps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"work_order_id" uuid,
	"ticket_id" uuid,
	"old_terminal_id" uuid NOT NULL,
	"new_terminal_id" uuid NOT NULL,
	"depot_id" uuid,
	"status" text NOT NULL,
	"actor" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ticket_ratings" (
	"ticket_id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"score" integer NOT NULL,
	"comment" text,
	"rated_by" uuid,
	"rated_at" timestamp with time zone NOT NULL,
	"agent_id" uuid,
	"team" text,
	"cause_code" text,
	"merchant_id" uuid
);
--> statement-breakpoint
CREATE TABLE "work_order_photos" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"work_order_id" uuid NOT NULL,
	"content_type" text NOT NULL,
	"bytes" integer NOT NULL,
	"data" "bytea" NOT NULL,
	"caption" text,
	"created_by" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "work_orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"number" text NOT NULL,
	"ticket_id" uuid,
	"terminal_id" uuid,
	"site_id" uuid,
	"merchant_id" uuid,
	"assignee_id" uuid,
	"depot_id" uuid,
	"status" text NOT NULL,
	"kind" text NOT NULL,
	"address" text,
	"instructions" text,
	"scheduled_at" timestamp with time zone,
	"checklist" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"notes" text,
	"outcome" text,
	"cancel_reason" text,
	"signoff" jsonb,
	"created_by" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"arrived_at" timestamp with time zone,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
DROP INDEX "tickets_org_status_updated";--> statement-breakpoint
DROP INDEX "tickets_merchant";--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "ticket_id" uuid;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "first_response_due" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "resolution_due" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_breached" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "reopen_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "search_tokens" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "team" text;--> statement-breakpoint
ALTER TABLE "depots" ADD CONSTRAINT "depots_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kb_article_versions" ADD CONSTRAINT "kb_article_versions_article_id_kb_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."kb_articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kb_articles" ADD CONSTRAINT "kb_articles_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kb_feedback" ADD CONSTRAINT "kb_feedback_article_id_kb_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."kb_articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kb_images" ADD CONSTRAINT "kb_images_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kb_images" ADD CONSTRAINT "kb_images_article_id_kb_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."kb_articles"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "part_stock" ADD CONSTRAINT "part_stock_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "part_stock" ADD CONSTRAINT "part_stock_depot_id_depots_id_fk" FOREIGN KEY ("depot_id") REFERENCES "public"."depots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "part_stock" ADD CONSTRAINT "part_stock_part_id_parts_id_fk" FOREIGN KEY ("part_id") REFERENCES "public"."parts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "parts" ADD CONSTRAINT "parts_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stock_movements" ADD CONSTRAINT "stock_movements_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminal_custody" ADD CONSTRAINT "terminal_custody_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminal_custody" ADD CONSTRAINT "terminal_custody_terminal_id_terminals_id_fk" FOREIGN KEY ("terminal_id") REFERENCES "public"."terminals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminal_swaps" ADD CONSTRAINT "terminal_swaps_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminal_swaps" ADD CONSTRAINT "terminal_swaps_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminal_swaps" ADD CONSTRAINT "terminal_swaps_old_terminal_id_terminals_id_fk" FOREIGN KEY ("old_terminal_id") REFERENCES "public"."terminals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminal_swaps" ADD CONSTRAINT "terminal_swaps_new_terminal_id_terminals_id_fk" FOREIGN KEY ("new_terminal_id") REFERENCES "public"."terminals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_ratings" ADD CONSTRAINT "ticket_ratings_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_ratings" ADD CONSTRAINT "ticket_ratings_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_order_photos" ADD CONSTRAINT "work_order_photos_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_order_photos" ADD CONSTRAINT "work_order_photos_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_terminal_id_terminals_id_fk" FOREIGN KEY ("terminal_id") REFERENCES "public"."terminals"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "depots_org_code" ON "depots" USING btree ("org_id","code");--> statement-breakpoint
CREATE INDEX "kb_articles_org_status" ON "kb_articles" USING btree ("org_id","status","updated_at");--> statement-breakpoint
CREATE INDEX "kb_articles_causes" ON "kb_articles" USING gin ("cause_codes");--> statement-breakpoint
CREATE INDEX "kb_articles_search" ON "kb_articles" USING gin ("search_vector");--> statement-breakpoint
CREATE UNIQUE INDEX "kb_articles_source_ticket" ON "kb_articles" USING btree ("org_id","source_ticket_id");--> statement-breakpoint
CREATE UNIQUE INDEX "kb_articles_starter" ON "kb_articles" USING btree ("org_id","starter_key");--> statement-breakpoint
CREATE INDEX "kb_images_article" ON "kb_images" USING btree ("article_id");--> statement-breakpoint
CREATE UNIQUE INDEX "parts_org_sku" ON "parts" USING btree ("org_id","sku");--> statement-breakpoint
CREATE INDEX "stock_movements_depot_part" ON "stock_movements" USING btree ("depot_id","part_id","at");--> statement-breakpoint
CREATE INDEX "stock_movements_wo" ON "stock_movements" USING btree ("work_order_id");--> statement-breakpoint
CREATE INDEX "terminal_custody_terminal" ON "terminal_custody" USING btree ("terminal_id","at");--> statement-breakpoint
CREATE INDEX "terminal_swaps_old" ON "terminal_swaps" USING btree ("old_terminal_id");--> statement-breakpoint
CREATE INDEX "terminal_swaps_new" ON "terminal_swaps" USING btree ("new_terminal_id");--> statement-breakpoint
CREATE INDEX "ticket_ratings_org_at" ON "ticket_ratings" USING btree ("org_id","rated_at");--> statement-breakpoint
CREATE INDEX "work_order_photos_wo" ON "work_order_photos" USING btree ("work_order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "work_orders_org_number" ON "work_orders" USING btree ("org_id","number");--> statement-breakpoint
CREATE INDEX "work_orders_ticket" ON "work_orders" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX "work_orders_assignee_status" ON "work_orders" USING btree ("assignee_id","status");--> statement-breakpoint
CREATE INDEX "work_orders_org_status" ON "work_orders" USING btree ("org_id","status","updated_at");--> statement-breakpoint
CREATE INDEX "tickets_org_status_queue" ON "tickets" USING btree ("org_id","status","priority","updated_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "tickets_org_priority_updated" ON "tickets" USING btree ("org_id","priority","updated_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "tickets_queue_open" ON "tickets" USING btree ("org_id","priority","updated_at" DESC NULLS FIRST) WHERE status IN ('new', 'triaged', 'locating', 'planned', 'in_progress', 'verifying', 'waiting_merchant');--> statement-breakpoint
CREATE INDEX "tickets_queue_open_assignee" ON "tickets" USING btree ("org_id","assignee_id","priority","updated_at" DESC NULLS FIRST) WHERE status IN ('new', 'triaged', 'locating', 'planned', 'in_progress', 'verifying', 'waiting_merchant');--> statement-breakpoint
CREATE INDEX "tickets_queue_open_merchant" ON "tickets" USING btree ("org_id","merchant_id","priority","updated_at" DESC NULLS FIRST) WHERE status IN ('new', 'triaged', 'locating', 'planned', 'in_progress', 'verifying', 'waiting_merchant');--> statement-breakpoint
CREATE INDEX "tickets_untokenized" ON "tickets" USING btree ("org_id") WHERE search_tokens IS NULL;--> statement-breakpoint
CREATE INDEX "tickets_org_resolved" ON "tickets" USING btree ("org_id","resolved_at");--> statement-breakpoint
CREATE INDEX "tickets_org_created" ON "tickets" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "tickets_org_cause_resolved" ON "tickets" USING btree ("org_id","cause_code","resolved_at");--> statement-breakpoint
CREATE INDEX "tickets_search" ON "tickets" USING gin (to_tsvector('simple', coalesce("search_tokens", '')));--> statement-breakpoint
CREATE INDEX "tickets_merchant" ON "tickets" USING btree ("org_id","merchant_id","priority","updated_at" DESC NULLS FIRST);