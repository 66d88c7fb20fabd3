ALTER TABLE "payment_attempts" ADD COLUMN "kind" text DEFAULT 'qr' NOT NULL;--> statement-breakpoint
ALTER TABLE "sandbox_pay_trades" ADD COLUMN "trade_type" text DEFAULT 'qr' NOT NULL;--> statement-breakpoint
ALTER TABLE "sandbox_pay_trades" ADD COLUMN "return_url" text;