import { z } from 'zod'
import { Id, Timestamp } from '../../http/schemas.ts'

/** The longest range a dashboard query may span: a year and a day (at most 54 weekly buckets). */
export const MAX_RANGE_DAYS = 366
/** The explorer's longest answer: the largest groups (a team with more projects, tags or assignees loses its tail). */
export const MAX_GROUPS = 1000
export const DEFAULT_RANGE_DAYS = 30
const DAY_MS = 86_400_000

const RangeQuery = z.object({
  teamId: Id.meta({ description: 'The team (404 when the caller cannot see it)' }),
  projectId: Id.optional().meta({
    description: 'Only this project of the team (404 when it is not one of its projects)',
  }),
  from: Timestamp.optional().meta({ description: 'Start of the range, inclusive; default `to` − 30 days' }),
  to: Timestamp.optional().meta({ description: 'End of the range, exclusive; default now' }),
})

/** from ≤ to and at most MAX_RANGE_DAYS apart, when both are given (defaults are checked in the service). */
const checkRange = (v: { from?: string; to?: string }, ctx: z.RefinementCtx) => {
  if (v.from === undefined || v.to === undefined) return
  const span = Date.parse(v.to) - Date.parse(v.from)
  if (span < 0) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' })
  else if (span > MAX_RANGE_DAYS * DAY_MS) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: `the range may span at most ${MAX_RANGE_DAYS} days` })
  }
}

export const MetricsQuery = RangeQuery.superRefine(checkRange)
export type MetricsQuery = z.infer<typeof MetricsQuery>

export const LeaderboardQuery = RangeQuery.extend({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(10)
    .meta({ format: 'int32', description: 'How many users, 1..100 (default 10)' }),
}).superRefine(checkRange)
export type LeaderboardQuery = z.infer<typeof LeaderboardQuery>

const GROUP_BYS = ['status', 'priority', 'assignee', 'project', 'tag'] as const
export const ExplorerQuery = RangeQuery.extend({
  groupBy: z.enum(GROUP_BYS).meta({ description: 'What to group the current tasks by' }),
}).superRefine(checkRange)
export type ExplorerQuery = z.infer<typeof ExplorerQuery>

const Count = z.number().int().min(0).meta({ format: 'int64' })
const byKeys = <const K extends readonly string[]>(keys: K) =>
  z.object(Object.fromEntries(keys.map((k) => [k, Count])) as Record<K[number], typeof Count>)

export const Metrics = z
  .object({
    byStatus: byKeys(['todo', 'in_progress', 'done', 'cancelled'] as const).meta({
      description: 'Current tasks by status, whatever the range',
    }),
    byPriority: byKeys(['low', 'medium', 'high', 'urgent'] as const).meta({
      description: 'Current tasks by priority, whatever the range',
    }),
    overdue: Count.meta({ description: 'Open (todo, in_progress) tasks with dueAt < now' }),
    dueSoon: Count.meta({ description: 'Open tasks with now ≤ dueAt < now + 7 days' }),
    createdInRange: Count.meta({ description: 'Tasks with from ≤ createdAt < to' }),
    completedInRange: Count.meta({ description: 'Tasks now done with from ≤ completedAt < to' }),
    completionRate: z.number().min(0).max(1).meta({ description: 'done ÷ (todo + in_progress + done); 0 when none' }),
    medianCycleTimeHours: z.number().nullable().meta({
      description:
        'Median of completedAt − createdAt, in hours (2 decimals), over the tasks completed in range; null when none',
    }),
    weeklyThroughput: z
      .array(z.object({ weekStart: Timestamp, created: Count, completed: Count }))
      .max(54)
      .meta({ description: 'Every ISO week (Monday 00:00 UTC) the range touches, counted within the range' }),
  })
  .meta({ id: 'DashboardMetrics', description: 'The figures of a team (or one of its projects) over a range' })
export type Metrics = z.infer<typeof Metrics>

export const Leaderboard = z
  .object({
    items: z
      .array(
        z.object({
          user: z.object({ id: Id, name: z.string().max(200) }),
          completed: Count.meta({ description: 'Tasks completed in range credited to the user' }),
          completedOnTime: Count.meta({ description: 'Of those, completed at or before their dueAt' }),
        }),
      )
      .max(100),
  })
  .meta({ id: 'DashboardLeaderboard', description: 'Users ranked by tasks completed in the range' })
export type Leaderboard = z.infer<typeof Leaderboard>

export const Explorer = z
  .object({
    items: z
      .array(
        z.object({
          key: z.string().max(100).nullable().meta({ description: 'The status, priority or id; null for none' }),
          label: z.string().max(200),
          count: Count,
        }),
      )
      .max(MAX_GROUPS)
      .meta({ description: `At most ${MAX_GROUPS} groups, the largest` }),
  })
  .meta({ id: 'DashboardExplorer', description: 'Current tasks counted by the chosen grouping' })
export type Explorer = z.infer<typeof Explorer>
