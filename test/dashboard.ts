import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import type { GivenUser } from './given.ts'

/*
 * The dashboard's reference: every figure computed in plain TypeScript over the team's task rows,
 * read back with SQL, following the definitions in src/modules/dashboard/dashboard.service.ts.
 */

export interface TaskFacts {
  id: string
  projectId: string
  projectName: string
  status: string
  priorityRank: number
  assigneeId: string | null
  assigneeName: string | null
  completedBy: string | null
  completedByName: string | null
  dueAt: Date | null
  createdAt: Date
  completedAt: Date | null
  tags: { id: string; name: string }[]
}

/** Every task of a team as the database holds it, with the names the dashboard labels with. */
export async function readTeamTasks(app: FastifyInstance, teamId: string): Promise<TaskFacts[]> {
  const { rows } = await app.database.sql.query<{
    id: string
    project_id: string
    project_name: string
    status: string
    priority_rank: number
    assignee_id: string | null
    assignee_name: string | null
    completed_by: string | null
    completed_by_name: string | null
    due_at: string | Date | null
    created_at: string | Date
    completed_at: string | Date | null
    tags: { id: string; name: string }[] | string
  }>(
    `select t.id, t.project_id, p.name as project_name, t.status, t.priority_rank, t.assignee_id,
            a.name as assignee_name, t.completed_by, c.name as completed_by_name, t.due_at, t.created_at,
            t.completed_at,
            coalesce((select json_agg(json_build_object('id', g.id, 'name', g.name))
                      from task_tags tt join tags g on g.id = tt.tag_id where tt.task_id = t.id), '[]') as tags
     from tasks t join projects p on p.id = t.project_id
     left join users a on a.id = t.assignee_id left join users c on c.id = t.completed_by
     where t.team_id = $1`,
    [teamId],
  )
  const date = (v: string | Date | null) => (v === null ? null : new Date(v))
  return rows.map((r) => ({
    id: r.id,
    projectId: r.project_id,
    projectName: r.project_name,
    status: r.status,
    priorityRank: Number(r.priority_rank),
    assigneeId: r.assignee_id,
    assigneeName: r.assignee_name,
    completedBy: r.completed_by,
    completedByName: r.completed_by_name,
    dueAt: date(r.due_at),
    createdAt: date(r.created_at)!,
    completedAt: date(r.completed_at),
    tags: typeof r.tags === 'string' ? JSON.parse(r.tags) : r.tags,
  }))
}

/** Places a task in time, straight in the database (the API never lets a client set these). */
export async function placeTask(
  app: FastifyInstance,
  id: string,
  at: { createdAt?: Date; completedAt?: Date | null; dueAt?: Date | null },
): Promise<void> {
  const sets: string[] = []
  const params: unknown[] = [id]
  for (const [column, value] of [
    ['created_at', at.createdAt],
    ['completed_at', at.completedAt],
    ['due_at', at.dueAt],
  ] as const) {
    if (value === undefined) continue
    params.push(value === null ? null : value.toISOString())
    sets.push(`${column} = $${params.length}::timestamptz`)
  }
  if (sets.length) await app.database.sql.query(`update tasks set ${sets.join(', ')} where id = $1`, params)
}

/** GET a dashboard endpoint as a user, expecting 200. */
export async function getDashboard<T = Record<string, unknown>>(
  app: FastifyInstance,
  by: GivenUser,
  path: 'metrics' | 'leaderboard' | 'explorer',
  query: Record<string, string | number | undefined>,
): Promise<T> {
  const qs = new URLSearchParams(
    Object.entries(query).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, String(v)]])),
  ).toString()
  const res = await app.inject({ method: 'GET', url: `/api/v1/dashboard/${path}?${qs}`, headers: by.auth })
  expect(res.statusCode, res.body).toBe(200)
  return res.json() as T
}

const DAY = 86_400_000
const STATUSES = ['todo', 'in_progress', 'done', 'cancelled'] as const
const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const
const open = (t: TaskFacts) => t.status === 'todo' || t.status === 'in_progress'
const within = (d: Date | null, from: Date, to: Date) => d !== null && d >= from && d < to
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

function median(values: number[]): number | null {
  if (!values.length) return null
  const v = [...values].sort((a, b) => a - b)
  const mid = Math.floor(v.length / 2)
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2
}

/** metrics, as the definitions say, over `tasks` (already narrowed to the scope). */
export function expectedMetrics(tasks: TaskFacts[], now: Date, from: Date, to: Date) {
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, tasks.filter((t) => t.status === s).length]))
  const byPriority = Object.fromEntries(
    PRIORITIES.map((p, i) => [p, tasks.filter((t) => t.priorityRank === i + 1).length]),
  )
  const soon = new Date(now.getTime() + 7 * DAY)
  const completed = tasks.filter((t) => within(t.completedAt, from, to))
  const created = tasks.filter((t) => within(t.createdAt, from, to))
  const weeks: { weekStart: string; created: number; completed: number }[] = []
  const first = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()))
  for (let w = first.getTime() - ((first.getUTCDay() + 6) % 7) * DAY; w < to.getTime(); w += 7 * DAY) {
    const start = new Date(w)
    const end = new Date(w + 7 * DAY)
    weeks.push({
      weekStart: start.toISOString(),
      created: created.filter((t) => within(t.createdAt, start, end)).length,
      completed: completed.filter((t) => within(t.completedAt, start, end)).length,
    })
  }
  const notCancelled = byStatus.todo! + byStatus.in_progress! + byStatus.done!
  const cycle = median(completed.map((t) => (t.completedAt!.getTime() - t.createdAt.getTime()) / 3_600_000))
  return {
    byStatus,
    byPriority,
    overdue: tasks.filter((t) => open(t) && t.dueAt && t.dueAt < now).length,
    dueSoon: tasks.filter((t) => open(t) && t.dueAt && t.dueAt >= now && t.dueAt < soon).length,
    createdInRange: created.length,
    completedInRange: completed.length,
    completionRate: notCancelled ? byStatus.done! / notCancelled : 0,
    medianCycleTimeHours: cycle === null ? null : Math.round(cycle * 100) / 100,
    weeklyThroughput: weeks,
  }
}

/** leaderboard items, as the definitions say. */
export function expectedLeaderboard(tasks: TaskFacts[], from: Date, to: Date, limit: number) {
  const users = new Map<string, { user: { id: string; name: string }; completed: number; completedOnTime: number }>()
  for (const t of tasks) {
    if (!within(t.completedAt, from, to)) continue
    const id = t.assigneeId ?? t.completedBy
    const name = t.assigneeId ? t.assigneeName : t.completedByName
    if (!id) continue
    const entry = users.get(id) ?? { user: { id, name: name ?? '' }, completed: 0, completedOnTime: 0 }
    entry.completed++
    if (t.dueAt && t.completedAt! <= t.dueAt) entry.completedOnTime++
    users.set(id, entry)
  }
  return [...users.values()]
    .sort(
      (a, b) =>
        b.completed - a.completed ||
        b.completedOnTime - a.completedOnTime ||
        byText(a.user.name, b.user.name) ||
        byText(a.user.id, b.user.id),
    )
    .slice(0, limit)
}

const LABELS: Record<string, string> = {
  todo: 'To do',
  in_progress: 'In progress',
  done: 'Done',
  cancelled: 'Cancelled',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  urgent: 'Urgent',
}

/** explorer items for a grouping, as the definitions say. */
export function expectedExplorer(tasks: TaskFacts[], groupBy: string) {
  if (groupBy === 'status') {
    return STATUSES.map((s) => ({ key: s, label: LABELS[s], count: tasks.filter((t) => t.status === s).length }))
  }
  if (groupBy === 'priority') {
    return PRIORITIES.map((p, i) => ({
      key: p,
      label: LABELS[p],
      count: tasks.filter((t) => t.priorityRank === i + 1).length,
    }))
  }
  const groups = new Map<string | null, { key: string | null; label: string; count: number }>()
  const add = (key: string | null, label: string) => {
    const g = groups.get(key) ?? { key, label, count: 0 }
    g.count++
    groups.set(key, g)
  }
  for (const t of tasks) {
    if (groupBy === 'project') add(t.projectId, t.projectName)
    else if (groupBy === 'assignee') add(t.assigneeId, t.assigneeId ? t.assigneeName! : 'Unassigned')
    else if (t.tags.length) for (const tag of t.tags) add(tag.id, tag.name)
    else add(null, 'No tag')
  }
  return [...groups.values()].sort(
    (a, b) => b.count - a.count || byText(a.label, b.label) || byText(a.key ?? '', b.key ?? ''),
  )
}

/** The counter rows of a team that are not 0, and the same recounted from the tasks. */
export async function countersAndRecount(app: FastifyInstance, teamId: string) {
  const q = async (text: string) =>
    (await app.database.sql.query<{ project_id: string; dim: string; key: string; count: number }>(text, [teamId])).rows
      .map((r) => `${r.project_id} ${r.dim} ${r.key} ${Number(r.count)}`)
      .sort()
  // a key's count is the sum of its slots (one per database connection that wrote it)
  const kept = await q(
    `select project_id, dim, key, sum(count) as count from task_counters where team_id = $1
     group by 1, 2, 3 having sum(count) <> 0`,
  )
  const recount = await q(
    `select project_id, 'status' as dim, status as key, count(*) as count from tasks where team_id = $1 group by 1, 3
     union all select project_id, 'priority', priority_rank::text, count(*) from tasks where team_id = $1 group by 1, 3
     union all select project_id, 'assignee', coalesce(assignee_id::text, ''), count(*) from tasks where team_id = $1 group by 1, 3
     union all select t.project_id, 'tag', tt.tag_id::text, count(*) from task_tags tt join tasks t on t.id = tt.task_id
       where t.team_id = $1 group by 1, 3
     union all select project_id, 'tag', '', count(*) from tasks t
       where team_id = $1 and not exists (select 1 from task_tags tt where tt.task_id = t.id) group by 1`,
  )
  return { kept, recount }
}
