DROP INDEX IF EXISTS "tasks_previous_occurrence_idx";
--> statement-breakpoint
ALTER TABLE "tasks" DROP CONSTRAINT IF EXISTS "tasks_previous_occurrence_id_tasks_id_fk";
--> statement-breakpoint
ALTER TABLE "tasks" DROP COLUMN IF EXISTS "previous_occurrence_id";
