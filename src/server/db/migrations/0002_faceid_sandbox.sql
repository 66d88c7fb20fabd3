CREATE TABLE "sandbox_faceid" (
	"biz_token" text PRIMARY KEY NOT NULL,
	"rule_id" text NOT NULL,
	"name" text NOT NULL,
	"id_card" text NOT NULL,
	"redirect_url" text NOT NULL,
	"extra" text,
	"outcome" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "sandbox_faceid_created_idx" ON "sandbox_faceid" USING btree ("created_at");