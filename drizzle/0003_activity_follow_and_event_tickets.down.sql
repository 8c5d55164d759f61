ALTER TABLE "activity" ADD COLUMN "tx_id" "xid8" DEFAULT pg_current_xact_id() NOT NULL;
--> statement-breakpoint
DROP TABLE IF EXISTS "event_tickets";
