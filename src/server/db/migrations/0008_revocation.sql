CREATE TABLE "crl_shards" (
	"family" text NOT NULL,
	"shard" integer NOT NULL,
	"crl_number" bigint DEFAULT 0 NOT NULL,
	"this_update" timestamp with time zone,
	"next_update" timestamp with time zone,
	"entries" integer DEFAULT 0 NOT NULL,
	"dirty_since" timestamp with time zone,
	"published_at" timestamp with time zone,
	CONSTRAINT "crl_shards_family_shard_pk" PRIMARY KEY("family","shard")
);
--> statement-breakpoint
CREATE TABLE "ocsp_responses" (
	"serial" text PRIMARY KEY NOT NULL,
	"family" text NOT NULL,
	"status" text NOT NULL,
	"der" "bytea" NOT NULL,
	"this_update" timestamp with time zone NOT NULL,
	"next_update" timestamp with time zone NOT NULL,
	"stale" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "revocation_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"certificate_id" uuid NOT NULL,
	"serial" text NOT NULL,
	"source" text NOT NULL,
	"reason" integer NOT NULL,
	"note" text,
	"requested_by_staff" uuid,
	"requested_by_org" uuid,
	"requested_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text
);
--> statement-breakpoint
ALTER TABLE "revocation_requests" ADD CONSTRAINT "revocation_requests_certificate_id_certificates_id_fk" FOREIGN KEY ("certificate_id") REFERENCES "public"."certificates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ocsp_responses_next_idx" ON "ocsp_responses" USING btree ("next_update");--> statement-breakpoint
CREATE UNIQUE INDEX "revocation_requests_open_uq" ON "revocation_requests" USING btree ("certificate_id") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "revocation_requests_status_idx" ON "revocation_requests" USING btree ("status","requested_at");--> statement-breakpoint
CREATE INDEX "revocation_requests_cert_idx" ON "revocation_requests" USING btree ("certificate_id");