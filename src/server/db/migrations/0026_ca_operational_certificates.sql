CREATE TABLE "ca_operational_certificates" (
	"serial" text PRIMARY KEY NOT NULL,
	"family" text NOT NULL,
	"issuer_key_id" text NOT NULL,
	"kind" text NOT NULL,
	"der" "bytea" NOT NULL,
	"not_before" timestamp with time zone NOT NULL,
	"not_after" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'issued' NOT NULL,
	"revoked_at" timestamp with time zone,
	"revocation_reason" integer,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
