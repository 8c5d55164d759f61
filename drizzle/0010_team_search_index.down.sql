CREATE INDEX "tasks_search_idx" ON "tasks" USING gin ("search");--> statement-breakpoint
DROP INDEX "tasks_team_search_idx";
-- the btree_gin extension stays: it may have been there before, and other objects may use it
