ALTER TABLE "event_tickets" DROP COLUMN "scopes";
