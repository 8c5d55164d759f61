ALTER TABLE "event_tickets" DROP COLUMN "path";
