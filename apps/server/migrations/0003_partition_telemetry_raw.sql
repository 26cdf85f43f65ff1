-- Custom SQL migration file, put your code below! --
-- telemetry_raw becomes partitioned by day of "at" (drizzle-kit cannot express partitioning; columns
-- and key stay as schema.ts declares them). Day partitions are made by the ingest process
-- (apps/server/src/ingest/partitions.ts); the rows stored so far go to the default partition, with
-- their chart signals copied into the new typed columns, and a day's partition takes its rows over
-- when it is made.
ALTER TABLE "telemetry_raw" RENAME TO "telemetry_raw_unpartitioned";--> statement-breakpoint
ALTER TABLE "telemetry_raw_unpartitioned" RENAME CONSTRAINT "telemetry_raw_terminal_id_at_msg_id_pk" TO "telemetry_raw_unpartitioned_pk";--> statement-breakpoint
CREATE TABLE "telemetry_raw" (
	"org_id" uuid NOT NULL,
	"terminal_id" uuid NOT NULL,
	"msg_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"battery_pct" double precision,
	"temp_c" double precision,
	"signal_dbm" double precision,
	"latency_ms" double precision,
	"loss_pct" double precision,
	"chip_attempts" integer,
	"chip_failures" integer,
	"ctls_attempts" integer,
	"ctls_failures" integer,
	"mag_attempts" integer,
	"mag_failures" integer,
	"data" json NOT NULL,
	CONSTRAINT "telemetry_raw_terminal_id_at_msg_id_pk" PRIMARY KEY("terminal_id","at","msg_id")
) PARTITION BY RANGE ("at");--> statement-breakpoint
CREATE TABLE "telemetry_raw_default" PARTITION OF "telemetry_raw" DEFAULT;--> statement-breakpoint
INSERT INTO "telemetry_raw" ("org_id", "terminal_id", "msg_id", "at", "received_at", "battery_pct", "temp_c", "signal_dbm", "latency_ms", "loss_pct",
	"chip_attempts", "chip_failures", "ctls_attempts", "ctls_failures", "mag_attempts", "mag_failures", "data")
SELECT "org_id", "terminal_id", "msg_id", "at", "received_at",
	("data" #>> '{battery,pct}')::float8, ("data" #>> '{tempC}')::float8, ("data" #>> '{network,signalDbm}')::float8,
	("data" #>> '{network,latencyMs}')::float8, ("data" #>> '{network,lossPct}')::float8,
	("data" #>> '{reader,chip,attempts}')::integer, ("data" #>> '{reader,chip,failures}')::integer,
	("data" #>> '{reader,contactless,attempts}')::integer, ("data" #>> '{reader,contactless,failures}')::integer,
	("data" #>> '{reader,magstripe,attempts}')::integer, ("data" #>> '{reader,magstripe,failures}')::integer,
	"data"
FROM "telemetry_raw_unpartitioned";--> statement-breakpoint
DROP TABLE "telemetry_raw_unpartitioned";
