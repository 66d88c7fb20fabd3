CREATE TABLE "counter_scans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"counter_order_id" uuid NOT NULL,
	"material" text NOT NULL,
	"storage_key" text NOT NULL,
	"thumbnail_key" text NOT NULL,
	"sha256" text NOT NULL,
	"mime" text NOT NULL,
	"bytes" integer NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"original_name" text NOT NULL,
	"uploaded_by" uuid NOT NULL,
	"uploaded_at" timestamp with time zone NOT NULL,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "counter_scans" ADD CONSTRAINT "counter_scans_counter_order_id_counter_orders_id_fk" FOREIGN KEY ("counter_order_id") REFERENCES "public"."counter_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "counter_scans_order_idx" ON "counter_scans" USING btree ("counter_order_id","material");--> statement-breakpoint
CREATE UNIQUE INDEX "counter_scans_current_uq" ON "counter_scans" USING btree ("counter_order_id","material") WHERE retired_at is null;