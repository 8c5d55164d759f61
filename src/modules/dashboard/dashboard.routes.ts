import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Database } from '../../db/client.ts'
import type { Reads } from '../../db/replica.ts'
import { actorOf } from '../../http/auth.ts'
import { errors } from '../../http/schemas.ts'
import type { Cache } from '../../infra/cache.ts'
import { Explorer, ExplorerQuery, Leaderboard, LeaderboardQuery, Metrics, MetricsQuery } from './dashboard.schema.ts'
import { exploreTasks, getLeaderboard, getMetrics } from './dashboard.service.ts'

const tags = ['dashboard']
// viewers read the dashboard; a token needs tasks:read
const config = { scope: 'tasks:read' as const }

/** Team metrics, leaderboard and explorer; every number is defined in dashboard.service.ts. */
export const dashboardRoutes: FastifyPluginAsyncZod<{ database: Database; reads: Reads; cache: Cache }> = async (
  app,
  { database, reads, cache },
) => {
  // access checks on the primary; the figures on the replica when it has caught up (src/db/replica.ts)
  const deps = { db: database.db, reads, cache }

  app.get(
    '/dashboard/metrics',
    {
      config,
      schema: {
        tags,
        summary:
          'Counts by status and priority, overdue, due soon, created and completed in range, cycle time, weekly throughput',
        operationId: 'getDashboardMetrics',
        querystring: MetricsQuery,
        response: { 200: Metrics, ...errors(403, 404) },
      },
    },
    async (req) => getMetrics({ ...deps, log: req.log }, actorOf(req), req.query),
  )

  app.get(
    '/dashboard/leaderboard',
    {
      config,
      schema: {
        tags,
        summary: 'Users ranked by tasks completed in range (credited to the assignee, else the completer)',
        operationId: 'getDashboardLeaderboard',
        querystring: LeaderboardQuery,
        response: { 200: Leaderboard, ...errors(403, 404) },
      },
    },
    async (req) => getLeaderboard({ ...deps, log: req.log }, actorOf(req), req.query),
  )

  app.get(
    '/dashboard/explorer',
    {
      config,
      schema: {
        tags,
        summary: 'Current tasks counted by status, priority, assignee, project or tag',
        operationId: 'getDashboardExplorer',
        querystring: ExplorerQuery,
        response: { 200: Explorer, ...errors(403, 404) },
      },
    },
    async (req) => exploreTasks({ ...deps, log: req.log }, actorOf(req), req.query),
  )
}
