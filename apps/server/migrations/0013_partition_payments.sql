-- Custom SQL migration file, put your code below! --
-- transactions and host_records become partitioned by day of "at", as telemetry_raw did in 0003
-- (drizzle-kit cannot express partitioning; columns, keys and indexes stay as schema.ts declares them).
-- transactions' key takes "at" in (a partitioned table's keys must hold the partition column; a
-- re-delivered line is the same message at the same time, so it is still stored once). Day partitions
-- are made by the writers (ingest/partitions.ts); the rows stored so far go to the default partitions,
-- and a day's partition takes its rows over when it is made. Retention drops whole days.
ALTER TABLE "transactions" RENAME TO "transactions_unpartitioned";--> statement-breakpoint
ALTER TABLE "transactions_unpartitioned" DROP CONSTRAINT "transactions_terminal_id_msg_id_pk";--> statement-breakpoint
DROP INDEX "transactions_terminal_at";--> statement-breakpoint
DROP INDEX "transactions_card";--> statement-breakpoint
DROP INDEX "transactions_terminal_stan";--> statement-breakpoint
DROP INDEX "transactions_org_at";--> statement-breakpoint
DROP INDEX "transactions_received_at";--> statement-breakpoint
CREATE TABLE "transactions" (LIKE "transactions_unpartitioned" INCLUDING DEFAULTS) PARTITION BY RANGE ("at");--> statement-breakpoint
ALTER TABLE "transactions" ADD CONSTRAINT "transactions_terminal_id_msg_id_at_pk" PRIMARY KEY("terminal_id","msg_id","at");--> statement-breakpoint
CREATE TABLE "transactions_default" PARTITION OF "transactions" DEFAULT;--> statement-breakpoint
INSERT INTO "transactions" SELECT * FROM "transactions_unpartitioned";--> statement-breakpoint
DROP TABLE "transactions_unpartitioned";--> statement-breakpoint
CREATE INDEX "transactions_terminal_at" ON "transactions" USING btree ("terminal_id","at");--> statement-breakpoint
CREATE INDEX "transactions_merchant_at" ON "transactions" USING btree ("merchant_id","at");--> statement-breakpoint
CREATE INDEX "transactions_card" ON "transactions" USING btree ("card_token","at");--> statement-breakpoint
CREATE INDEX "transactions_terminal_stan" ON "transactions" USING btree ("terminal_id","stan");--> statement-breakpoint
CREATE INDEX "transactions_org_at" ON "transactions" USING btree ("org_id","at");--> statement-breakpoint
CREATE INDEX "transactions_received_at" ON "transactions" USING btree ("received_at");--> statement-breakpoint
ALTER TABLE "host_records" RENAME TO "host_records_unpartitioned";--> statement-breakpoint
ALTER TABLE "host_records_unpartitioned" DROP CONSTRAINT "host_records_org_id_id_at_pk";--> statement-breakpoint
DROP INDEX "host_records_terminal_at";--> statement-breakpoint
DROP INDEX "host_records_terminal_stan";--> statement-breakpoint
DROP INDEX "host_records_org_rrn";--> statement-breakpoint
DROP INDEX "host_records_org_at";--> statement-breakpoint
DROP INDEX "host_records_received_at";--> statement-breakpoint
CREATE TABLE "host_records" (LIKE "host_records_unpartitioned" INCLUDING DEFAULTS) PARTITION BY RANGE ("at");--> statement-breakpoint
ALTER TABLE "host_records" ADD CONSTRAINT "host_records_org_id_id_at_pk" PRIMARY KEY("org_id","id","at");--> statement-breakpoint
CREATE TABLE "host_records_default" PARTITION OF "host_records" DEFAULT;--> statement-breakpoint
INSERT INTO "host_records" SELECT * FROM "host_records_unpartitioned";--> statement-breakpoint
DROP TABLE "host_records_unpartitioned";--> statement-breakpoint
CREATE INDEX "host_records_terminal_at" ON "host_records" USING btree ("terminal_id","at");--> statement-breakpoint
CREATE INDEX "host_records_terminal_stan" ON "host_records" USING btree ("terminal_id","stan");--> statement-breakpoint
CREATE INDEX "host_records_org_rrn" ON "host_records" USING btree ("org_id","rrn");--> statement-breakpoint
CREATE INDEX "host_records_org_at" ON "host_records" USING btree ("org_id","at");--> statement-breakpoint
CREATE INDEX "host_records_received_at" ON "host_records" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "host_records_merchant_at" ON "host_records" USING btree ("merchant_id","at");
