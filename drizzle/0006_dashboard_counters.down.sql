DROP INDEX IF EXISTS "tasks_project_done_idx";
--> statement-breakpoint
DROP INDEX IF EXISTS "tasks_team_done_idx";
--> statement-breakpoint
DROP INDEX IF EXISTS "tasks_project_open_due_idx";
--> statement-breakpoint
DROP TRIGGER IF EXISTS task_counters_project_delete ON projects;
--> statement-breakpoint
DROP TRIGGER IF EXISTS task_counters_tag_delete ON task_tags;
--> statement-breakpoint
DROP TRIGGER IF EXISTS task_counters_tag_insert ON task_tags;
--> statement-breakpoint
DROP TRIGGER IF EXISTS task_counters_before_delete ON tasks;
--> statement-breakpoint
DROP TRIGGER IF EXISTS task_counters_delete ON tasks;
--> statement-breakpoint
DROP TRIGGER IF EXISTS task_counters_update ON tasks;
--> statement-breakpoint
DROP TRIGGER IF EXISTS task_counters_insert ON tasks;
--> statement-breakpoint
DROP FUNCTION IF EXISTS task_counters_on_project_delete();
--> statement-breakpoint
DROP FUNCTION IF EXISTS task_counters_on_tag_delete();
--> statement-breakpoint
DROP FUNCTION IF EXISTS task_counters_on_tag_insert();
--> statement-breakpoint
DROP FUNCTION IF EXISTS task_counters_before_delete();
--> statement-breakpoint
DROP FUNCTION IF EXISTS task_counters_on_delete();
--> statement-breakpoint
DROP FUNCTION IF EXISTS task_counters_on_update();
--> statement-breakpoint
DROP FUNCTION IF EXISTS task_counters_on_insert();
--> statement-breakpoint
DROP TABLE IF EXISTS "task_counters";
