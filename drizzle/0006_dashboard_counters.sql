CREATE TABLE "task_counters" (
	"team_id" uuid NOT NULL,
	"project_id" uuid NOT NULL,
	"dim" text NOT NULL,
	"key" text NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "task_counters_team_id_project_id_dim_key_pk" PRIMARY KEY("team_id","project_id","dim","key")
);
--> statement-breakpoint
-- Hand-written below: the triggers that keep task_counters in the statement that writes a task
-- (see src/modules/dashboard/counters.table.ts), the backfill, and the dashboard's indexes.
-- Every upsert orders its rows by key, so concurrent writers lock counter rows in one order.
CREATE FUNCTION task_counters_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO task_counters AS c (team_id, project_id, dim, key, count)
  SELECT team_id, project_id, dim, key, sum(n) FROM (
    SELECT team_id, project_id, 'status' AS dim, status AS key, 1 AS n FROM new_rows
    UNION ALL SELECT team_id, project_id, 'priority', priority_rank::text, 1 FROM new_rows
    UNION ALL SELECT team_id, project_id, 'assignee', coalesce(assignee_id::text, ''), 1 FROM new_rows
    -- a new task has no tags yet: the task_tags trigger moves it out of '' when it gets some
    UNION ALL SELECT team_id, project_id, 'tag', '', 1 FROM new_rows
  ) d
  GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (team_id, project_id, dim, key) DO UPDATE SET count = c.count + excluded.count;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION task_counters_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO task_counters AS c (team_id, project_id, dim, key, count)
  SELECT team_id, project_id, dim, key, sum(n) FROM (
    SELECT team_id, project_id, 'status' AS dim, status AS key, -1 AS n FROM old_rows
    UNION ALL SELECT team_id, project_id, 'priority', priority_rank::text, -1 FROM old_rows
    UNION ALL SELECT team_id, project_id, 'assignee', coalesce(assignee_id::text, ''), -1 FROM old_rows
    UNION ALL SELECT team_id, project_id, 'status', status, 1 FROM new_rows
    UNION ALL SELECT team_id, project_id, 'priority', priority_rank::text, 1 FROM new_rows
    UNION ALL SELECT team_id, project_id, 'assignee', coalesce(assignee_id::text, ''), 1 FROM new_rows
    -- a task moved to another project takes its tags' counts along (its tags are not changed here)
    UNION ALL SELECT o.team_id, o.project_id, 'tag', coalesce(tt.tag_id::text, ''), -1
      FROM old_rows o JOIN new_rows n ON n.id = o.id LEFT JOIN task_tags tt ON tt.task_id = o.id
      WHERE (o.team_id, o.project_id) IS DISTINCT FROM (n.team_id, n.project_id)
    UNION ALL SELECT n.team_id, n.project_id, 'tag', coalesce(tt.tag_id::text, ''), 1
      FROM old_rows o JOIN new_rows n ON n.id = o.id LEFT JOIN task_tags tt ON tt.task_id = o.id
      WHERE (o.team_id, o.project_id) IS DISTINCT FROM (n.team_id, n.project_id)
  ) d
  GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4
  ON CONFLICT (team_id, project_id, dim, key) DO UPDATE SET count = c.count + excluded.count;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION task_counters_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO task_counters AS c (team_id, project_id, dim, key, count)
  SELECT team_id, project_id, dim, key, sum(n) FROM (
    SELECT team_id, project_id, 'status' AS dim, status AS key, -1 AS n FROM old_rows
    UNION ALL SELECT team_id, project_id, 'priority', priority_rank::text, -1 FROM old_rows
    UNION ALL SELECT team_id, project_id, 'assignee', coalesce(assignee_id::text, ''), -1 FROM old_rows
  ) d
  -- a project being deleted has its rows deleted by task_counters_on_project_delete (which may run first)
  WHERE EXISTS (SELECT 1 FROM projects p WHERE p.id = d.project_id)
  GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (team_id, project_id, dim, key) DO UPDATE SET count = c.count + excluded.count;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Per row and before: a deleted task's task_tags rows are still there to say which tags it had
-- (their cascade runs after the row is gone, when the task_tags trigger can no longer find it).
CREATE FUNCTION task_counters_before_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM projects WHERE id = OLD.project_id) THEN RETURN OLD; END IF;
  INSERT INTO task_counters AS c (team_id, project_id, dim, key, count)
  SELECT OLD.team_id, OLD.project_id, 'tag', k, -1 FROM (
    SELECT tag_id::text AS k FROM task_tags WHERE task_id = OLD.id
    UNION ALL SELECT '' WHERE NOT EXISTS (SELECT 1 FROM task_tags WHERE task_id = OLD.id)
  ) t
  ORDER BY k
  ON CONFLICT (team_id, project_id, dim, key) DO UPDATE SET count = c.count + excluded.count;
  RETURN OLD;
END $$;
--> statement-breakpoint
CREATE FUNCTION task_counters_on_tag_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- share-lock the tasks so a concurrent move cannot count these tags in the project it leaves
  PERFORM 1 FROM tasks WHERE id IN (SELECT task_id FROM new_rows) ORDER BY id FOR SHARE;
  INSERT INTO task_counters AS c (team_id, project_id, dim, key, count)
  SELECT t.team_id, t.project_id, 'tag', d.key, sum(d.n) FROM (
    SELECT task_id, tag_id::text AS key, 1 AS n FROM new_rows
    -- the task's first tags: it leaves "no tag"
    UNION ALL SELECT r.task_id, '', -1 FROM new_rows r GROUP BY r.task_id
      HAVING count(*) = (SELECT count(*) FROM task_tags tt WHERE tt.task_id = r.task_id)
  ) d JOIN tasks t ON t.id = d.task_id
  GROUP BY 1, 2, 3, 4 HAVING sum(d.n) <> 0 ORDER BY 1, 2, 3, 4
  ON CONFLICT (team_id, project_id, dim, key) DO UPDATE SET count = c.count + excluded.count;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION task_counters_on_tag_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM tasks WHERE id IN (SELECT task_id FROM old_rows) ORDER BY id FOR SHARE;
  -- the join leaves out tasks deleted in this statement: task_counters_before_delete counted them
  INSERT INTO task_counters AS c (team_id, project_id, dim, key, count)
  SELECT t.team_id, t.project_id, 'tag', d.key, sum(d.n) FROM (
    SELECT task_id, tag_id::text AS key, -1 AS n FROM old_rows
    -- the task's last tags: it is back to "no tag"
    UNION ALL SELECT DISTINCT r.task_id, '', 1 FROM old_rows r
      WHERE NOT EXISTS (SELECT 1 FROM task_tags tt WHERE tt.task_id = r.task_id)
  ) d JOIN tasks t ON t.id = d.task_id
  GROUP BY 1, 2, 3, 4 HAVING sum(d.n) <> 0 ORDER BY 1, 2, 3, 4
  ON CONFLICT (team_id, project_id, dim, key) DO UPDATE SET count = c.count + excluded.count;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- the rows of a deleted project go with it; the task triggers leave alone the projects that are gone,
-- as the cascaded deletion of their tasks may be counted before or after this runs
CREATE FUNCTION task_counters_on_project_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM task_counters c USING old_rows o WHERE c.team_id = o.team_id AND c.project_id = o.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER task_counters_insert AFTER INSERT ON tasks REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION task_counters_on_insert();
--> statement-breakpoint
CREATE TRIGGER task_counters_update AFTER UPDATE ON tasks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION task_counters_on_update();
--> statement-breakpoint
CREATE TRIGGER task_counters_delete AFTER DELETE ON tasks REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION task_counters_on_delete();
--> statement-breakpoint
CREATE TRIGGER task_counters_before_delete BEFORE DELETE ON tasks FOR EACH ROW EXECUTE FUNCTION task_counters_before_delete();
--> statement-breakpoint
CREATE TRIGGER task_counters_tag_insert AFTER INSERT ON task_tags REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION task_counters_on_tag_insert();
--> statement-breakpoint
CREATE TRIGGER task_counters_tag_delete AFTER DELETE ON task_tags REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION task_counters_on_tag_delete();
--> statement-breakpoint
CREATE TRIGGER task_counters_project_delete AFTER DELETE ON projects REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION task_counters_on_project_delete();
--> statement-breakpoint
-- backfill: the triggers above hold their tables' locks until this migration commits
INSERT INTO task_counters (team_id, project_id, dim, key, count)
SELECT team_id, project_id, 'status', status, count(*) FROM tasks GROUP BY 1, 2, 4
UNION ALL SELECT team_id, project_id, 'priority', priority_rank::text, count(*) FROM tasks GROUP BY 1, 2, 4
UNION ALL SELECT team_id, project_id, 'assignee', coalesce(assignee_id::text, ''), count(*) FROM tasks GROUP BY 1, 2, 4
UNION ALL SELECT t.team_id, t.project_id, 'tag', tt.tag_id::text, count(*)
  FROM task_tags tt JOIN tasks t ON t.id = tt.task_id GROUP BY 1, 2, 4
UNION ALL SELECT team_id, project_id, 'tag', '', count(*) FROM tasks t
  WHERE NOT EXISTS (SELECT 1 FROM task_tags tt WHERE tt.task_id = t.id) GROUP BY 1, 2;
--> statement-breakpoint
-- overdue and due soon of one project (the team-wide ones read tasks_open_due_idx)
CREATE INDEX "tasks_project_open_due_idx" ON "tasks" USING btree ("project_id", "due_at") WHERE "status" IN ('todo', 'in_progress') AND "due_at" IS NOT NULL;
--> statement-breakpoint
-- completed in range, cycle time and leaderboard read only the index (tasks_team_completed_idx
-- needs a heap fetch per task for created_at, due_at, assignee_id and completed_by)
CREATE INDEX "tasks_team_done_idx" ON "tasks" USING btree ("team_id", "completed_at") INCLUDE ("created_at", "due_at", "assignee_id", "completed_by") WHERE "completed_at" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "tasks_project_done_idx" ON "tasks" USING btree ("project_id", "completed_at") INCLUDE ("created_at", "due_at", "assignee_id", "completed_by") WHERE "completed_at" IS NOT NULL;
