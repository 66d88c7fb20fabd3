CREATE TABLE "calendar_seeds" (
	"key" text PRIMARY KEY NOT NULL,
	"seeded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "orders_created_idx" ON "orders" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "orders_agent_mobile_idx" ON "orders" USING btree (right(regexp_replace(("form" -> 'agent' ->> 'mobile'), '[^0-9]', '', 'g'), 11));--> statement-breakpoint
CREATE INDEX "orders_production_idx" ON "orders" USING btree ("project_code","production_started_at","status_changed_at") WHERE status = 'in_production';--> statement-breakpoint
CREATE INDEX "organizations_uscc_prefix_idx" ON "organizations" USING btree ("uscc" text_pattern_ops);