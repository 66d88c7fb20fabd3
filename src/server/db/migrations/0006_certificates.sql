CREATE TABLE "certificates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"serial" text NOT NULL,
	"family" text NOT NULL,
	"issuer" text NOT NULL,
	"issuer_key_id" text,
	"order_id" uuid,
	"organization_id" uuid,
	"uscc" text NOT NULL,
	"unit_name" text NOT NULL,
	"project_code" text NOT NULL,
	"key_type" text NOT NULL,
	"status" text NOT NULL,
	"key_source" text NOT NULL,
	"tbs" "bytea",
	"der" "bytea",
	"not_before" timestamp with time zone NOT NULL,
	"not_after" timestamp with time zone NOT NULL,
	"issued_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"revocation_reason" integer,
	"source" text NOT NULL,
	"flag" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_serial_uq" ON "certificates" USING btree ("serial");--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_order_uq" ON "certificates" USING btree ("order_id") WHERE status <> 'failed' and order_id is not null;--> statement-breakpoint
CREATE INDEX "certificates_uscc_idx" ON "certificates" USING btree ("uscc","created_at","id");--> statement-breakpoint
CREATE INDEX "certificates_created_idx" ON "certificates" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "certificates_project_idx" ON "certificates" USING btree ("project_code","created_at","id");--> statement-breakpoint
CREATE INDEX "certificates_org_idx" ON "certificates" USING btree ("organization_id","project_code");