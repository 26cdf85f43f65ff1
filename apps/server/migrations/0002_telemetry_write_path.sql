ALTER TABLE "telemetry_minute" DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP TABLE "telemetry_minute" CASCADE;--> statement-breakpoint
DROP INDEX "telemetry_raw_terminal_at";--> statement-breakpoint
DROP INDEX "telemetry_raw_received";--> statement-breakpoint
ALTER TABLE "telemetry_raw" DROP CONSTRAINT "telemetry_raw_terminal_id_msg_id_pk";--> statement-breakpoint
ALTER TABLE "telemetry_raw" ALTER COLUMN "data" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "telemetry_raw" ADD CONSTRAINT "telemetry_raw_terminal_id_at_msg_id_pk" PRIMARY KEY("terminal_id","at","msg_id");--> statement-breakpoint
ALTER TABLE "telemetry_raw" ADD COLUMN "battery_pct" double precision;--> statement-breakpoint
ALTER TABLE "telemetry_raw" ADD COLUMN "temp_c" double precision;--> statement-breakpoint
ALTER TABLE "telemetry_raw" ADD COLUMN "signal_dbm" double precision;--> statement-breakpoint
ALTER TABLE "telemetry_raw" ADD COLUMN "latency_ms" double precision;--> statement-breakpoint
ALTER TABLE "telemetry_raw" ADD COLUMN "loss_pct" double precision;--> statement-breakpoint
ALTER TABLE "telemetry_raw" ADD COLUMN "chip_attempts" integer;--> statement-breakpoint
ALTER TABLE "telemetry_raw" ADD COLUMN "chip_failures" integer;--> statement-breakpoint
ALTER TABLE "telemetry_raw" ADD COLUMN "ctls_attempts" integer;--> statement-breakpoint
ALTER TABLE "telemetry_raw" ADD COLUMN "ctls_failures" integer;--> statement-breakpoint
ALTER TABLE "telemetry_raw" ADD COLUMN "mag_attempts" integer;--> statement-breakpoint
ALTER TABLE "telemetry_raw" ADD COLUMN "mag_failures" integer;--> statement-breakpoint
ALTER TABLE "terminal_live" ADD COLUMN "last_msg_id" text;--> statement-breakpoint
ALTER TABLE "terminal_live" DROP COLUMN "telemetry";