ALTER TABLE "event_tickets" ADD COLUMN "via" text DEFAULT 'session' NOT NULL;--> statement-breakpoint
ALTER TABLE "event_tickets" ADD COLUMN "session_family" uuid;--> statement-breakpoint
ALTER TABLE "event_tickets" ADD COLUMN "token_id" uuid;