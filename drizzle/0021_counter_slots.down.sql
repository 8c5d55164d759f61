CREATE OR REPLACE FUNCTION task_counters_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE OR REPLACE FUNCTION task_counters_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE OR REPLACE FUNCTION task_counters_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE OR REPLACE FUNCTION task_counters_before_delete() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE OR REPLACE FUNCTION task_counters_on_tag_insert() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE OR REPLACE FUNCTION task_counters_on_tag_delete() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TEMPORARY TABLE task_counters_summed AS SELECT team_id, project_id, dim, key, sum(count)::int AS count FROM task_counters GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
DELETE FROM task_counters;
--> statement-breakpoint
ALTER TABLE "task_counters" DROP CONSTRAINT "task_counters_team_id_project_id_dim_key_slot_pk";
--> statement-breakpoint
ALTER TABLE "task_counters" DROP COLUMN "slot";
--> statement-breakpoint
INSERT INTO task_counters (team_id, project_id, dim, key, count) SELECT team_id, project_id, dim, key, count FROM task_counters_summed;
--> statement-breakpoint
ALTER TABLE "task_counters" ADD CONSTRAINT "task_counters_team_id_project_id_dim_key_pk" PRIMARY KEY("team_id","project_id","dim","key");
--> statement-breakpoint
DROP TABLE task_counters_summed;
