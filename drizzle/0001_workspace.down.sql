DROP TABLE IF EXISTS "idempotency_keys";
--> statement-breakpoint
DROP TABLE IF EXISTS "activity";
--> statement-breakpoint
DROP TABLE IF EXISTS "comments";
--> statement-breakpoint
DROP TABLE IF EXISTS "task_tags";
--> statement-breakpoint
DROP TABLE IF EXISTS "tasks";
--> statement-breakpoint
DROP TABLE IF EXISTS "tags";
--> statement-breakpoint
DROP TABLE IF EXISTS "projects";
--> statement-breakpoint
DROP TABLE IF EXISTS "team_members";
--> statement-breakpoint
DROP TABLE IF EXISTS "teams";
