CREATE TABLE "seal_extraction_images" (
	"extraction_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"box" integer NOT NULL,
	"png" "bytea",
	"width_px" integer NOT NULL,
	"height_px" integer NOT NULL,
	"width_mm" real NOT NULL,
	"height_mm" real NOT NULL,
	"metrics" jsonb NOT NULL,
	"issues" jsonb NOT NULL,
	CONSTRAINT "seal_extraction_images_extraction_id_kind_box_pk" PRIMARY KEY("extraction_id","kind","box")
);
--> statement-breakpoint
CREATE TABLE "seal_extractions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"order_id" uuid NOT NULL,
	"document_id" uuid NOT NULL,
	"source" text NOT NULL,
	"params" jsonb NOT NULL,
	"verdict" text NOT NULL,
	"issues" jsonb NOT NULL,
	"sheet" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "seal_image_confirmations" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"extraction_id" uuid NOT NULL,
	"picks" jsonb NOT NULL,
	"confirmed_by" uuid NOT NULL,
	"confirmed_at" timestamp with time zone NOT NULL,
	"version" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "seal_extraction_images" ADD CONSTRAINT "seal_extraction_images_extraction_id_seal_extractions_id_fk" FOREIGN KEY ("extraction_id") REFERENCES "public"."seal_extractions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seal_extractions" ADD CONSTRAINT "seal_extractions_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seal_extractions" ADD CONSTRAINT "seal_extractions_document_id_order_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."order_documents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seal_image_confirmations" ADD CONSTRAINT "seal_image_confirmations_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seal_image_confirmations" ADD CONSTRAINT "seal_image_confirmations_extraction_id_seal_extractions_id_fk" FOREIGN KEY ("extraction_id") REFERENCES "public"."seal_extractions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "seal_extractions_order_idx" ON "seal_extractions" USING btree ("order_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "seal_extractions_auto_uq" ON "seal_extractions" USING btree ("document_id") WHERE source = 'auto';