DROP INDEX "tasks_team_search_idx";--> statement-breakpoint
CREATE INDEX "tasks_team_search_idx" ON "tasks" USING gin ("team_id","search") WHERE "tasks"."search" is not null;