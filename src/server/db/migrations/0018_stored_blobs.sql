CREATE TABLE "stored_blobs" (
	"name" text PRIMARY KEY NOT NULL,
	"bytes" "bytea" NOT NULL,
	"size" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Ciphertext does not compress: keep it out of line without trying (TOAST EXTERNAL).
ALTER TABLE "stored_blobs" ALTER COLUMN "bytes" SET STORAGE EXTERNAL;
