import { and, eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import type { Reads } from '../../db/replica.ts'
import { projects } from '../../db/tables/projects.ts'
import { TASK_PRIORITIES, TASK_STATUSES } from '../../db/tables/tasks.ts'
import type { Actor } from '../../http/auth.ts'
import { invalidField, notFound } from '../../http/problem.ts'
import type { Cache } from '../../infra/cache.ts'
import { MIN_INSTANT } from '../../lib/time.ts'
import { requireRole } from '../access/index.ts'
import { cachedAnswer } from './dashboard.cache.ts'
import {
  completedByUser,
  completedByWeek,
  countsBy,
  countsByProject,
  createdByWeek,
  dueCounts,
  type Range,
  type Scope,
} from './dashboard.queries.ts'
import {
  DEFAULT_RANGE_DAYS,
  type Explorer,
  type ExplorerQuery,
  type Leaderboard,
  type LeaderboardQuery,
  MAX_GROUPS,
  MAX_RANGE_DAYS,
  type Metrics,
  type MetricsQuery,
} from './dashboard.schema.ts'

/*
 * The one definition of every dashboard number (docs/dashboard.md says the same).
 *
 * Scope: the tasks of the team, or of one of its projects with `projectId`; subtasks count like any
 * task, and tasks of archived projects count too (archiving hides a project from lists, it does not
 * undo its work). "Now" is the time of the request. The range is [from, to): from inclusive, to
 * exclusive, by default the 30 days before now.
 *
 * - byStatus, byPriority: every current task of the scope, whatever the range (task_counters).
 * - overdue: open tasks (todo or in_progress) with dueAt < now, whatever the range, exactly the
 *   `overdue=true` filter of GET /tasks.
 * - dueSoon: open tasks with now ≤ dueAt < now + 7 days (not overdue, not done or cancelled).
 * - createdInRange: tasks that exist now with from ≤ createdAt < to.
 * - completedInRange: tasks with from ≤ completedAt < to. completedAt is set when a task becomes done
 *   and cleared when it leaves done, so these are tasks done now, counted at their last completion.
 * - completionRate: done ÷ (todo + in_progress + done) of byStatus (cancelled left out), 0 when
 *   that is 0; whatever the range.
 * - medianCycleTimeHours: the median of completedAt − createdAt over the tasks completed in range,
 *   in hours rounded to 2 decimals (the mean of the middle two for an even count); null when none.
 * - weeklyThroughput: one entry per ISO week (Monday 00:00 UTC) that overlaps the range, oldest
 *   first, with the tasks created and completed in that week and in the range, so the entries add
 *   up to createdInRange and completedInRange.
 * - leaderboard: the tasks completed in range, credited to their assignee, or to whoever completed
 *   them when unassigned (neither: not credited); completedOnTime counts those with a dueAt and
 *   completedAt ≤ dueAt (a task without a due date is never on time). Users with at least one
 *   completion, by completed, then completedOnTime (both descending), then name and id.
 * - explorer: every current task of the scope counted by the grouping, whatever the range (from and
 *   to are validated but do not narrow it), so explorer by status equals byStatus. status and
 *   priority list each value in order (zeros included); assignee, project and tag list the groups
 *   that have tasks, most first, then by label; key null is "no assignee" / "no tag"; a task counts
 *   once under each of its tags.
 */

const DAY_MS = 86_400_000
const WEEK_MS = 7 * DAY_MS
const DUE_SOON_MS = 7 * DAY_MS

/** Checks the caller may read the team (viewer or better, or a global admin) and that the project is one of its. */
async function scopeFor(db: Db, actor: Actor, teamId: string, projectId?: string): Promise<Scope> {
  await requireRole(db, actor, teamId, 'viewer')
  if (projectId) {
    const [row] = await db
      .select({ id: projects.id })
      .from(projects)
      .where(and(eq(projects.id, projectId), eq(projects.teamId, teamId)))
    if (!row) throw notFound('project', projectId)
  }
  return { teamId, projectId }
}

/** The range the query asks for, defaults filled in from now. */
function rangeOf(query: { from?: string; to?: string }, now: Date): Range {
  const to = query.to ? new Date(query.to) : now
  // a `to` early in year 0001 leaves less than the default before it: the range starts at the first instant
  const from = query.from
    ? new Date(query.from)
    : new Date(Math.max(MIN_INSTANT, to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS))
  if (from > to) throw invalidField('query.from', 'must not be after to')
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    throw invalidField('query.from', `the range may span at most ${MAX_RANGE_DAYS} days`)
  }
  return { from, to }
}

/** Monday 00:00 UTC of the ISO week holding `d`. */
function weekStart(d: Date): Date {
  // not Date.UTC(year, …): it reads years 0..99 as 1900..1999
  const day = new Date(d)
  day.setUTCHours(0, 0, 0, 0)
  return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY_MS)
}

const iso = (v: string | Date) => new Date(v).toISOString()
// code-point order: the same on every machine, whatever its locale
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * The primary (access checks), where the figures are read (the replica once it has caught up, the
 * primary otherwise), the cache of answers when it pays (see dashboard.cache.ts), and the request's log.
 */
export interface DashboardDeps {
  db: Db
  reads: Reads
  cache?: Cache
  log?: { warn(obj: object, msg: string): void }
}

export async function getMetrics(
  deps: DashboardDeps,
  actor: Actor,
  query: MetricsQuery,
  now = new Date(),
): Promise<Metrics> {
  const range = rangeOf(query, now)
  const scope = await scopeFor(deps.db, actor, query.teamId, query.projectId)
  return cachedAnswer(deps, scope.teamId, { metrics: query }, (db) => computeMetrics(db, scope, range, now))
}

async function computeMetrics(db: Db, scope: Scope, range: Range, now: Date): Promise<Metrics> {
  const [statuses, priorities, due, created, completed] = await Promise.all([
    countsBy(db, scope, 'status'),
    countsBy(db, scope, 'priority'),
    dueCounts(db, scope, now, DUE_SOON_MS),
    createdByWeek(db, scope, range),
    completedByWeek(db, scope, range),
  ])
  const byStatus = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Metrics['byStatus']
  for (const r of statuses) byStatus[r.key as keyof typeof byStatus] = r.count
  const byPriority = Object.fromEntries(TASK_PRIORITIES.map((p) => [p, 0])) as Metrics['byPriority']
  for (const r of priorities) byPriority[TASK_PRIORITIES[Number(r.key) - 1]!] = r.count

  const createdIn = new Map(created.map((r) => [iso(r.week), r.n]))
  const completedIn = new Map(completed.filter((r) => r.week !== null).map((r) => [iso(r.week!), r.n]))
  const total = completed.find((r) => r.week === null)
  const weeklyThroughput: Metrics['weeklyThroughput'] = []
  for (let w = weekStart(range.from).getTime(); w < range.to.getTime(); w += WEEK_MS) {
    const weekStart = new Date(w).toISOString()
    weeklyThroughput.push({
      weekStart,
      created: createdIn.get(weekStart) ?? 0,
      completed: completedIn.get(weekStart) ?? 0,
    })
  }
  const notCancelled = byStatus.todo + byStatus.in_progress + byStatus.done
  return {
    byStatus,
    byPriority,
    ...due,
    createdInRange: created.reduce((sum, r) => sum + r.n, 0),
    completedInRange: total?.n ?? 0,
    completionRate: notCancelled ? byStatus.done / notCancelled : 0,
    medianCycleTimeHours: total?.median_s == null ? null : Math.round((total.median_s / 3600) * 100) / 100,
    weeklyThroughput,
  }
}

export async function getLeaderboard(
  deps: DashboardDeps,
  actor: Actor,
  query: LeaderboardQuery,
  now = new Date(),
): Promise<Leaderboard> {
  const range = rangeOf(query, now)
  const scope = await scopeFor(deps.db, actor, query.teamId, query.projectId)
  return cachedAnswer(deps, scope.teamId, { leaderboard: query }, async (db) => {
    const rows = await completedByUser(db, scope, range, query.limit)
    return {
      items: rows.map((r) => ({
        user: { id: r.id, name: r.name },
        completed: r.completed,
        completedOnTime: r.on_time,
      })),
    }
  })
}

const STATUS_LABELS = { todo: 'To do', in_progress: 'In progress', done: 'Done', cancelled: 'Cancelled' }
const PRIORITY_LABELS = { low: 'Low', medium: 'Medium', high: 'High', urgent: 'Urgent' }
const NONE_LABELS = { assignee: 'Unassigned', tag: 'No tag' }

export async function exploreTasks(
  deps: DashboardDeps,
  actor: Actor,
  query: ExplorerQuery,
  now = new Date(),
): Promise<Explorer> {
  rangeOf(query, now)
  const scope = await scopeFor(deps.db, actor, query.teamId, query.projectId)
  // not cached: reading the counters costs no more than finding the cache key (measured, docs/dashboard.md)
  return deps.reads.read(scope.teamId, (db) => explore(db, scope, query.groupBy), { log: deps.log })
}

async function explore(db: Db, scope: Scope, groupBy: ExplorerQuery['groupBy']): Promise<Explorer> {
  if (groupBy === 'status' || groupBy === 'priority') {
    const rows = new Map((await countsBy(db, scope, groupBy)).map((r) => [r.key, r.count]))
    const items =
      groupBy === 'status'
        ? TASK_STATUSES.map((s) => ({ key: s, label: STATUS_LABELS[s], count: rows.get(s) ?? 0 }))
        : TASK_PRIORITIES.map((p, i) => ({ key: p, label: PRIORITY_LABELS[p], count: rows.get(String(i + 1)) ?? 0 }))
    return { items }
  }
  const rows =
    groupBy === 'project'
      ? await countsByProject(db, scope)
      : (await countsBy(db, scope, groupBy)).map((r) => ({
          key: r.key || null,
          label: r.key ? (r.label ?? '') : NONE_LABELS[groupBy],
          count: r.count,
        }))
  const items = rows.map((r) => ({ key: r.key, label: r.label ?? '', count: r.count }))
  items.sort((a, b) => b.count - a.count || byText(a.label, b.label) || byText(a.key ?? '', b.key ?? ''))
  return { items: items.slice(0, MAX_GROUPS) }
}
