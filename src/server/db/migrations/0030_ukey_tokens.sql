CREATE TABLE "token_unlocks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"certificate_id" uuid NOT NULL,
	"token_serial" text NOT NULL,
	"status" text NOT NULL,
	"code_hash" text NOT NULL,
	"code_attempts" integer DEFAULT 0 NOT NULL,
	"code_expires_at" timestamp with time zone NOT NULL,
	"face_attempts" integer DEFAULT 0 NOT NULL,
	"face_provider" text,
	"face_biz_token" text,
	"grant_jti" text,
	"agent_key" text,
	"granted_at" timestamp with time zone,
	"done_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "token_serial" text;--> statement-breakpoint
CREATE UNIQUE INDEX "token_unlocks_open_uq" ON "token_unlocks" USING btree ("token_serial") WHERE status not in ('done', 'closed');--> statement-breakpoint
CREATE INDEX "token_unlocks_org_idx" ON "token_unlocks" USING btree ("organization_id","created_at");--> statement-breakpoint
CREATE INDEX "certificates_token_idx" ON "certificates" USING btree ("token_serial") WHERE token_serial is not null;