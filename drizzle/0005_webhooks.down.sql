DROP TABLE IF EXISTS "webhook_attempts";
--> statement-breakpoint
DROP TABLE IF EXISTS "webhook_deliveries";
--> statement-breakpoint
DROP TABLE IF EXISTS "webhooks";
--> statement-breakpoint
DROP TABLE IF EXISTS "log_cursors";
