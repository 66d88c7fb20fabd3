CREATE TABLE "counter_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"counter_order_id" uuid NOT NULL,
	"actor_id" uuid,
	"action" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"reason" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "counter_orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"order_no" text NOT NULL,
	"office_code" text NOT NULL,
	"business" text NOT NULL,
	"organization_id" uuid NOT NULL,
	"uscc" text NOT NULL,
	"unit_name" text NOT NULL,
	"new_unit_name" text,
	"project_code" text NOT NULL,
	"key_type" text NOT NULL,
	"replaces_certificate_id" uuid,
	"revocation_reason" integer,
	"agent_name" text NOT NULL,
	"agent_mobile" text NOT NULL,
	"status" text NOT NULL,
	"materials" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"certificate_id" uuid,
	"revocation_request_id" uuid,
	"opened_by" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"status_changed_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "counter_payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"counter_order_id" uuid NOT NULL,
	"office_code" text NOT NULL,
	"channel" text NOT NULL,
	"amount_fen" integer NOT NULL,
	"receipt_no" text NOT NULL,
	"paid_at" timestamp with time zone NOT NULL,
	"recorded_by" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "offices" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"city" text NOT NULL,
	"address" text NOT NULL,
	"phones" jsonb NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"sort_order" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "staff_offices" (
	"staff_id" uuid PRIMARY KEY NOT NULL,
	"office_code" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "counter_order_id" uuid;--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "replaces_id" uuid;--> statement-breakpoint
ALTER TABLE "counter_events" ADD CONSTRAINT "counter_events_counter_order_id_counter_orders_id_fk" FOREIGN KEY ("counter_order_id") REFERENCES "public"."counter_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "counter_orders" ADD CONSTRAINT "counter_orders_office_code_offices_code_fk" FOREIGN KEY ("office_code") REFERENCES "public"."offices"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "counter_orders" ADD CONSTRAINT "counter_orders_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "counter_payments" ADD CONSTRAINT "counter_payments_counter_order_id_counter_orders_id_fk" FOREIGN KEY ("counter_order_id") REFERENCES "public"."counter_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_offices" ADD CONSTRAINT "staff_offices_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_offices" ADD CONSTRAINT "staff_offices_office_code_offices_code_fk" FOREIGN KEY ("office_code") REFERENCES "public"."offices"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "counter_events_order_idx" ON "counter_events" USING btree ("counter_order_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "counter_orders_no_uq" ON "counter_orders" USING btree ("order_no");--> statement-breakpoint
CREATE INDEX "counter_orders_office_day_idx" ON "counter_orders" USING btree ("office_code","created_at");--> statement-breakpoint
CREATE INDEX "counter_orders_org_idx" ON "counter_orders" USING btree ("organization_id","project_code");--> statement-breakpoint
CREATE UNIQUE INDEX "counter_orders_replaces_uq" ON "counter_orders" USING btree ("replaces_certificate_id") WHERE status <> 'cancelled' and replaces_certificate_id is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "counter_payments_order_uq" ON "counter_payments" USING btree ("counter_order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "counter_payments_receipt_uq" ON "counter_payments" USING btree ("receipt_no");--> statement-breakpoint
CREATE INDEX "counter_payments_paid_idx" ON "counter_payments" USING btree ("paid_at");--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_counter_order_uq" ON "certificates" USING btree ("counter_order_id") WHERE status <> 'failed' and counter_order_id is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_replaces_uq" ON "certificates" USING btree ("replaces_id") WHERE status <> 'failed' and replaces_id is not null;