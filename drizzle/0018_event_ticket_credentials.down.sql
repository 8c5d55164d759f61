ALTER TABLE "event_tickets" DROP COLUMN "token_id";--> statement-breakpoint
ALTER TABLE "event_tickets" DROP COLUMN "session_family";--> statement-breakpoint
ALTER TABLE "event_tickets" DROP COLUMN "via";
