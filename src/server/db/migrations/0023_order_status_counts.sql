CREATE TABLE "order_status_counts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"n" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "order_status_counts_status_idx" ON "order_status_counts" USING btree ("status");