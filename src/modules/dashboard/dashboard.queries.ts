import { type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'

/*
 * The dashboard's statements. None reads more than the team's counter rows (a few per project) or
 * the index range its figure is bounded by: created/completed between from and to, open tasks due
 * before now + 7 days. See dashboard.service.ts for what each number means.
 */

/** Which tasks a figure looks at: a team's, or one project's of it. */
export interface Scope {
  teamId: string
  projectId?: string
}
export interface Range {
  from: Date
  to: Date
}

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`
const rowsOf = async <R>(db: Db, query: SQL): Promise<R[]> =>
  ((await db.execute(query)) as unknown as { rows: R[] }).rows
// each condition names the column its index leads with, so the planner takes the scoped index
const inScope = (s: Scope) => (s.projectId ? sql`project_id = ${s.projectId}` : sql`team_id = ${s.teamId}`)
const countersIn = (s: Scope) =>
  s.projectId ? sql`c.team_id = ${s.teamId} and c.project_id = ${s.projectId}` : sql`c.team_id = ${s.teamId}`

/** Current tasks per key of one counter dimension, with a label where the key is an id (none: ''). */
export async function countsBy(db: Db, scope: Scope, dim: 'status' | 'priority' | 'assignee' | 'tag') {
  const label =
    dim === 'assignee'
      ? sql`(select u.name from users u where u.id = nullif(c.key, '')::uuid)`
      : dim === 'tag'
        ? sql`(select g.name from tags g where g.id = nullif(c.key, '')::uuid)`
        : sql`null::text`
  return rowsOf<{ key: string; label: string | null; count: number }>(
    db,
    sql`select c.key, ${label} as label, sum(c.count)::int as count
        from task_counters c where ${countersIn(scope)} and c.dim = ${dim}
        group by c.key having sum(c.count) <> 0`,
  )
}

/** Current tasks per project (every task has exactly one status, so the status rows add up to them). */
export async function countsByProject(db: Db, scope: Scope) {
  return rowsOf<{ key: string; label: string; count: number }>(
    db,
    sql`select c.project_id::text as key, p.name as label, sum(c.count)::int as count
        from task_counters c join projects p on p.id = c.project_id
        where ${countersIn(scope)} and c.dim = 'status'
        group by c.project_id, p.name having sum(c.count) <> 0`,
  )
}

/** Open tasks overdue (dueAt < now) and due soon (now ≤ dueAt < now + 7 days): tasks_open_due_idx. */
export async function dueCounts(db: Db, scope: Scope, now: Date, soonMs: number) {
  const [row] = await rowsOf<{ overdue: number; due_soon: number }>(
    db,
    sql`select count(*) filter (where due_at < ${ts(now)})::int as overdue,
               count(*) filter (where due_at >= ${ts(now)})::int as due_soon
        from tasks
        where ${inScope(scope)} and status in ('todo', 'in_progress') and due_at < ${ts(new Date(now.getTime() + soonMs))}`,
  )
  return { overdue: row?.overdue ?? 0, dueSoon: row?.due_soon ?? 0 }
}

const week = (column: SQL) => sql`date_trunc('week', ${column}, 'UTC')`

/** Tasks created in range per ISO week: a range scan of tasks_team_created_idx. */
export async function createdByWeek(db: Db, scope: Scope, range: Range) {
  return rowsOf<{ week: string | Date; n: number }>(
    db,
    sql`select ${week(sql`created_at`)} as week, count(*)::int as n from tasks
        where ${inScope(scope)} and created_at >= ${ts(range.from)} and created_at < ${ts(range.to)}
        group by 1`,
  )
}

/**
 * Tasks completed in range per ISO week, and over the whole range (week null) with the median
 * cycle time in seconds: one range scan of tasks_team_completed_idx.
 */
export async function completedByWeek(db: Db, scope: Scope, range: Range) {
  return rowsOf<{ week: string | Date | null; n: number; median_s: number | null }>(
    db,
    sql`select ${week(sql`completed_at`)} as week, count(*)::int as n,
               percentile_cont(0.5) within group (order by extract(epoch from completed_at - created_at)) as median_s
        from tasks
        where ${inScope(scope)} and completed_at >= ${ts(range.from)} and completed_at < ${ts(range.to)}
        group by grouping sets ((${week(sql`completed_at`)}), ())`,
  )
}

/** Tasks completed in range per credited user (the assignee, else the completer), best first. */
export async function completedByUser(db: Db, scope: Scope, range: Range, limit: number) {
  return rowsOf<{ id: string; name: string; completed: number; on_time: number }>(
    db,
    sql`select u.id, u.name, count(*)::int as completed,
               count(*) filter (where t.completed_at <= t.due_at)::int as on_time
        from tasks t join users u on u.id = coalesce(t.assignee_id, t.completed_by)
        where ${inScope(scope)} and t.completed_at >= ${ts(range.from)} and t.completed_at < ${ts(range.to)}
        group by u.id, u.name
        order by completed desc, on_time desc, u.name, u.id
        limit ${limit}`,
  )
}
