CREATE TABLE "crl_documents" (
	"family" text NOT NULL,
	"issuer_key_id" text NOT NULL,
	"scope" integer NOT NULL,
	"crl_number" bigint NOT NULL,
	"this_update" timestamp with time zone NOT NULL,
	"next_update" timestamp with time zone NOT NULL,
	"sha256" text NOT NULL,
	"size" integer NOT NULL,
	"der" "bytea" NOT NULL,
	"stored_at" timestamp with time zone NOT NULL,
	CONSTRAINT "crl_documents_family_issuer_key_id_scope_pk" PRIMARY KEY("family","issuer_key_id","scope")
);
--> statement-breakpoint
ALTER TABLE "crl_shards" ADD COLUMN "lease_holder" text;--> statement-breakpoint
ALTER TABLE "crl_shards" ADD COLUMN "lease_until" timestamp with time zone;--> statement-breakpoint
-- Stored out of line and uncompressed: an instance reads a CRL in slices (substring), which then fetch only
-- the TOAST chunks they cover instead of decompressing the value from its start for every slice.
ALTER TABLE "crl_documents" ALTER COLUMN "der" SET STORAGE EXTERNAL;
