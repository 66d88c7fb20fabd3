CREATE TABLE "renewal_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"renewal_id" uuid NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" uuid,
	"action" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "renewal_payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"renewal_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"out_trade_no" text NOT NULL,
	"amount_fen" integer NOT NULL,
	"description" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"code_url" text,
	"expires_at" timestamp with time zone NOT NULL,
	"transaction_id" text,
	"paid_fen" integer,
	"paid_at" timestamp with time zone,
	"queried_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "renewals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"certificate_id" uuid NOT NULL,
	"status" text NOT NULL,
	"token_serial" text NOT NULL,
	"csr" "bytea",
	"csr_sha256" text,
	"new_key_id" text,
	"challenge" "bytea",
	"challenge_expires_at" timestamp with time zone,
	"challenge_used_at" timestamp with time zone,
	"proof_attempts" integer DEFAULT 0 NOT NULL,
	"proof_signature" "bytea",
	"proof_signed_data" "bytea",
	"amount_fen" integer,
	"paid_at" timestamp with time zone,
	"new_certificate_id" uuid,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"status_changed_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "revocation_codes" ADD COLUMN "purpose" text DEFAULT 'revoke' NOT NULL;--> statement-breakpoint
ALTER TABLE "renewal_events" ADD CONSTRAINT "renewal_events_renewal_id_renewals_id_fk" FOREIGN KEY ("renewal_id") REFERENCES "public"."renewals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "renewal_payments" ADD CONSTRAINT "renewal_payments_renewal_id_renewals_id_fk" FOREIGN KEY ("renewal_id") REFERENCES "public"."renewals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "renewals" ADD CONSTRAINT "renewals_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "renewals" ADD CONSTRAINT "renewals_certificate_id_certificates_id_fk" FOREIGN KEY ("certificate_id") REFERENCES "public"."certificates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "renewal_events_renewal_idx" ON "renewal_events" USING btree ("renewal_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "renewal_payments_out_trade_no_uq" ON "renewal_payments" USING btree ("out_trade_no");--> statement-breakpoint
CREATE INDEX "renewal_payments_renewal_idx" ON "renewal_payments" USING btree ("renewal_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "renewals_open_uq" ON "renewals" USING btree ("certificate_id") WHERE status not in ('completed', 'cancelled');--> statement-breakpoint
CREATE INDEX "renewals_org_idx" ON "renewals" USING btree ("organization_id","created_at");