ALTER TABLE "certificates" ADD COLUMN "ocsp_due_at" timestamp with time zone;--> statement-breakpoint
-- Backfill (issue 21): each issued or revoked certificate is due at its stored response's half-life
-- (next_update - 2 days, publication.ts OCSP_REFRESH_MS), or now when it has none; none at all when that time
-- is past its notAfter (nextOcspDue: expired certificates are signed on demand, not on a schedule).
UPDATE "certificates" AS c SET "ocsp_due_at" = d."due"
FROM (
  SELECT c2."id", coalesce(o."next_update" - interval '2 days', now()) AS "due", c2."not_after"
  FROM "certificates" c2
  LEFT JOIN "ocsp_responses" o ON o."serial" = c2."serial" AND NOT o."stale"
  WHERE c2."status" IN ('issued', 'revoked')
) AS d
WHERE c."id" = d."id" AND d."due" <= d."not_after";--> statement-breakpoint
CREATE INDEX "certificates_ocsp_due_idx" ON "certificates" USING btree ("issuer_key_id","ocsp_due_at") WHERE ocsp_due_at is not null;
