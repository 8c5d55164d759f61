-- btree_gin gives uuid a GIN operator class (a trusted contrib extension: any user who may create in the database can add it; PGlite loads it explicitly)
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
CREATE INDEX "tasks_team_search_idx" ON "tasks" USING gin ("team_id","search");--> statement-breakpoint
DROP INDEX "tasks_search_idx";
