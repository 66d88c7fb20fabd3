CREATE TABLE "sandbox_pay_keys" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox_pay_notices" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"trade_id" uuid NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone,
	"last_status" integer,
	"last_answer" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox_pay_refunds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"channel" text NOT NULL,
	"out_refund_no" text NOT NULL,
	"trade_id" uuid NOT NULL,
	"amount_fen" integer NOT NULL,
	"refund_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox_pay_trades" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"channel" text NOT NULL,
	"out_trade_no" text NOT NULL,
	"token" text NOT NULL,
	"amount_fen" integer NOT NULL,
	"description" text NOT NULL,
	"notify_url" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"transaction_id" text,
	"expires_at" timestamp with time zone NOT NULL,
	"paid_at" timestamp with time zone,
	"refunded_fen" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sandbox_pay_notices" ADD CONSTRAINT "sandbox_pay_notices_trade_id_sandbox_pay_trades_id_fk" FOREIGN KEY ("trade_id") REFERENCES "public"."sandbox_pay_trades"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox_pay_refunds" ADD CONSTRAINT "sandbox_pay_refunds_trade_id_sandbox_pay_trades_id_fk" FOREIGN KEY ("trade_id") REFERENCES "public"."sandbox_pay_trades"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sandbox_pay_notices_due_idx" ON "sandbox_pay_notices" USING btree ("next_attempt_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sandbox_pay_refunds_no_uq" ON "sandbox_pay_refunds" USING btree ("channel","out_refund_no");--> statement-breakpoint
CREATE UNIQUE INDEX "sandbox_pay_trades_no_uq" ON "sandbox_pay_trades" USING btree ("channel","out_trade_no");--> statement-breakpoint
CREATE UNIQUE INDEX "sandbox_pay_trades_token_uq" ON "sandbox_pay_trades" USING btree ("token");