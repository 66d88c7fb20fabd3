CREATE TABLE "payment_notice_refusals" (
	"address" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"channel" text NOT NULL,
	"reason" text NOT NULL,
	"count" integer NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payment_notice_refusals_address_window_start_channel_reason_pk" PRIMARY KEY("address","window_start","channel","reason")
);
--> statement-breakpoint
CREATE INDEX "payment_notice_refusals_window_idx" ON "payment_notice_refusals" USING btree ("window_start");