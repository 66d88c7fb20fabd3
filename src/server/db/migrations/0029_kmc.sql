CREATE TABLE "kmc_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"certificate_id" uuid NOT NULL,
	"public_key" "bytea" NOT NULL,
	"kek_index" integer NOT NULL,
	"wrapped_key" "bytea" NOT NULL,
	"iv" "bytea" NOT NULL,
	"encrypted_private_key" "bytea" NOT NULL,
	"envelope_recipient" "bytea" NOT NULL,
	"envelope" "bytea",
	"envelope_downloaded_at" timestamp with time zone,
	"envelope_downloaded_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "kmc_keys_certificate_id_unique" UNIQUE("certificate_id")
);
--> statement-breakpoint
CREATE TABLE "kmc_recoveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kmc_key_id" uuid NOT NULL,
	"certificate_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"recipient" "bytea" NOT NULL,
	"recipient_document" text NOT NULL,
	"reason" text NOT NULL,
	"status" text NOT NULL,
	"requested_by" uuid NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"delivered_by" uuid,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "dual_certificates" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "usage" text DEFAULT 'signing' NOT NULL;--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "signing_certificate_id" uuid;--> statement-breakpoint
CREATE INDEX "kmc_keys_created_idx" ON "kmc_keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "kmc_recoveries_status_idx" ON "kmc_recoveries" USING btree ("status","requested_at");--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_pair_uq" ON "certificates" USING btree ("signing_certificate_id") WHERE status <> 'failed' and signing_certificate_id is not null;--> statement-breakpoint
-- The projects whose platforms encrypt to the holder issue SM2 pairs (seeds 000 and 001; docs/kmc.md).
UPDATE "projects" SET "dual_certificates" = true WHERE "code" IN ('gov-procurement', 'public-resource');
