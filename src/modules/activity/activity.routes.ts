import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Database } from '../../db/client.ts'
import { actorOf } from '../../http/auth.ts'
import { errors, pageOf } from '../../http/schemas.ts'
import { listActivity } from './activity.list.ts'
import { ActivityEntry, ActivityQuery } from './activity.schema.ts'

export const activityRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (app, { database }) => {
  const { db } = database

  app.get(
    '/activity',
    {
      config: { scope: 'tasks:read' },
      schema: {
        tags: ['activity'],
        summary: 'The audit trail of what the caller can see, newest first; filter by team, project or task',
        operationId: 'listActivity',
        querystring: ActivityQuery,
        response: { 200: pageOf(ActivityEntry), ...errors(403, 404) },
      },
    },
    async (req) => listActivity(db, actorOf(req), req.query),
  )
}
