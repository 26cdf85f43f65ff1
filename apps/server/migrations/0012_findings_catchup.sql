CREATE INDEX "host_records_received_at" ON "host_records" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "transactions_received_at" ON "transactions" USING btree ("received_at");