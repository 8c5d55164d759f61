DROP INDEX "notes_owner_created_idx";--> statement-breakpoint
DROP INDEX "notes_project_created_idx";--> statement-breakpoint
DROP INDEX "tasks_team_created_idx";--> statement-breakpoint
DROP INDEX "tasks_project_created_idx";--> statement-breakpoint
DROP INDEX "tasks_team_updated_idx";--> statement-breakpoint
DROP INDEX "tasks_team_priority_idx";--> statement-breakpoint
DROP INDEX "tasks_assignee_created_idx";--> statement-breakpoint
DROP INDEX "tasks_team_status_created_idx";--> statement-breakpoint
CREATE INDEX "projects_archived_idx" ON "projects" USING btree ("id") WHERE "projects"."archived";--> statement-breakpoint
CREATE INDEX "notes_owner_created_idx" ON "notes" USING btree ("owner_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "notes_project_created_idx" ON "notes" USING btree ("project_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "tasks_team_created_idx" ON "tasks" USING btree ("team_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "tasks_project_created_idx" ON "tasks" USING btree ("project_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "tasks_team_updated_idx" ON "tasks" USING btree ("team_id","updated_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "tasks_team_priority_idx" ON "tasks" USING btree ("team_id","priority_rank" DESC NULLS FIRST,"created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "tasks_assignee_created_idx" ON "tasks" USING btree ("assignee_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "tasks_team_status_created_idx" ON "tasks" USING btree ("team_id","status","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);