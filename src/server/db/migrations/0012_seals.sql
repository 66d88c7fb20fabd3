CREATE TABLE "seals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"order_id" uuid NOT NULL,
	"certificate_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"es_id" text NOT NULL,
	"name" text NOT NULL,
	"seal_type" integer NOT NULL,
	"der" "bytea" NOT NULL,
	"picture_sha256" text NOT NULL,
	"width_mm" integer NOT NULL,
	"height_mm" integer NOT NULL,
	"valid_start" timestamp with time zone NOT NULL,
	"valid_end" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"superseded_at" timestamp with time zone,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "seals" ADD CONSTRAINT "seals_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seals" ADD CONSTRAINT "seals_certificate_id_certificates_id_fk" FOREIGN KEY ("certificate_id") REFERENCES "public"."certificates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "seals_es_id_uq" ON "seals" USING btree ("es_id");--> statement-breakpoint
CREATE UNIQUE INDEX "seals_active_uq" ON "seals" USING btree ("certificate_id","kind") WHERE status = 'active';--> statement-breakpoint
CREATE INDEX "seals_order_idx" ON "seals" USING btree ("order_id","created_at");--> statement-breakpoint
CREATE INDEX "seals_certificate_idx" ON "seals" USING btree ("certificate_id","created_at");