import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Database } from '../../db/client.ts'
import { actorOf } from '../../http/auth.ts'
import { expectedEtag } from '../../http/etag.ts'
import { errors, IdParams, IfMatchHeaders, noContent, pageOf } from '../../http/schemas.ts'
import type { Queue } from '../../infra/queue.ts'
import { deleteTask, listTasks, Task, TaskQuery } from '../tasks/index.ts'

const tags = ['admin']

/** Tasks of every team, for global admins (the visibility rule lets them see everything). */
export const adminTasksRoutes: FastifyPluginAsyncZod<{ database: Database; queue: Queue }> = async (
  app,
  { database, queue },
) => {
  const { db } = database
  const config = { admin: true, scope: 'admin' as const }

  app.get(
    '/admin/tasks',
    {
      config,
      schema: {
        tags,
        summary: 'Tasks of every team, with the filters and sorts of GET /tasks',
        operationId: 'adminListTasks',
        querystring: TaskQuery,
        response: { 200: pageOf(Task), ...errors(403, 404) },
      },
    },
    async (req) => listTasks(db, actorOf(req), req.query),
  )

  app.delete(
    '/admin/tasks/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Delete any task (with its subtasks and comments)',
        operationId: 'adminDeleteTask',
        params: IdParams,
        headers: IfMatchHeaders,
        response: { 204: noContent('Deleted, with its subtasks and comments'), ...errors(403, 404, 412) },
      },
    },
    async (req, reply) => {
      await deleteTask({ db, queue }, actorOf(req), req.params.id, { expected: expectedEtag(req), asAdmin: true })
      return reply.code(204).send(null)
    },
  )
}
