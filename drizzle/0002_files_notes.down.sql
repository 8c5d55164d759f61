DROP TABLE IF EXISTS "notes";--> statement-breakpoint
DROP TABLE IF EXISTS "attachments";
