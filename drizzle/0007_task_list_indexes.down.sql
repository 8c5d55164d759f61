DROP INDEX IF EXISTS "tasks_created_idx";
--> statement-breakpoint
DROP INDEX IF EXISTS "tasks_project_priority_idx";
--> statement-breakpoint
DROP INDEX IF EXISTS "tasks_project_due_idx";
