ALTER TABLE "tickets" ADD COLUMN "terminal_model" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "terminal_app_version" text;--> statement-breakpoint
-- Tickets opened before this migration: the terminal's model and the version it reports now (the best
-- that is known of them).
UPDATE "tickets" AS t SET "terminal_model" = term."model", "terminal_app_version" = coalesce(l."app_version", term."app_version")
  FROM "terminals" AS term LEFT JOIN "terminal_live" AS l ON l."terminal_id" = term."id"
 WHERE term."id" = t."terminal_id";
