import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Database } from '../../db/client.ts'
import { actorOf } from '../../http/auth.ts'
import { IfNoneMatchHeaders, NotModified } from '../../http/conditional.ts'
import { expectedEtag } from '../../http/etag.ts'
import { writesOf } from '../../http/idempotency.ts'
import { deleteOne, getOne, sendCreated, writeOne } from '../../http/routes.ts'
import { errors, pageOf } from '../../http/schemas.ts'
import type { Queue } from '../../infra/queue.ts'
import type { ListCache } from './list-cache.ts'
import { createTask, updateTask } from './tasks.create-update.ts'
import { deleteTask } from './tasks.delete.ts'
import { taskEtag } from './tasks.etag.ts'
import { getTask, listTasks } from './tasks.read.ts'
import { CreateTask, Task, TaskQuery, UpdateTask, UpdateTaskStatus } from './tasks.schema.ts'

const tags = ['tasks']
const read = { scope: 'tasks:read' as const }
const write = { scope: 'tasks:write' as const }

export const tasksRoutes: FastifyPluginAsyncZod<{ database: Database; queue: Queue; listCache: ListCache }> = async (
  app,
  { database, queue, listCache },
) => {
  const { db } = database

  app.get(
    '/tasks',
    {
      config: read,
      schema: {
        tags,
        summary: 'Tasks the caller can see, filtered and sorted (keyset pages)',
        description:
          'The answer carries an ETag; If-None-Match naming it answers 304. An instance remembers answers until the activity log shows a change they may not reflect (docs: the list cache); a caller always sees its own writes.',
        operationId: 'listTasks',
        querystring: TaskQuery,
        headers: IfNoneMatchHeaders,
        response: { 200: pageOf(Task), 304: NotModified, ...errors(403, 404) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req)
      return listCache.answer(req, reply, actor, req.query, () => listTasks(db, actor, req.query))
    },
  )

  app.post(
    '/tasks',
    {
      config: { ...write, idempotent: true },
      schema: {
        tags,
        summary: "Create a task (in the caller's Inbox when no projectId is given)",
        operationId: 'createTask',
        body: CreateTask,
        response: { 201: Task, ...errors(403, 409) },
      },
    },
    async (req, reply) => {
      const task = await createTask(writesOf(req, db), actorOf(req), req.body)
      return sendCreated(reply, `/api/v1/tasks/${task.id}`, task, taskEtag)
    },
  )

  getOne(app, '/tasks/:id', {
    config: read,
    schema: { tags, summary: 'A task with its tags, assignee and subtask count', operationId: 'getTask' },
    resource: Task,
    etag: taskEtag,
    errors: [404],
    handler: (req) => getTask(db, actorOf(req), req.params.id),
    // remembered per instance with the lists, under the same freshness and invalidation (list-cache.ts)
    through: (req, reply, read, etag) => listCache.task(req, reply, actorOf(req), req.params.id, read, etag),
  })

  writeOne(app, 'PATCH', '/tasks/:id', {
    config: write,
    schema: {
      tags,
      summary: 'Update a task (JSON Merge Patch: null clears a field, a missing one stays)',
      operationId: 'updateTask',
      body: UpdateTask,
    },
    resource: Task,
    etag: taskEtag,
    errors: [403, 404, 409],
    handler: (req) => updateTask(db, actorOf(req), req.params.id, req.body, expectedEtag(req)),
  })

  writeOne(app, 'PATCH', '/tasks/:id/status', {
    config: write,
    schema: {
      tags,
      summary: 'Change the status of a task (completing a recurring task creates its next occurrence)',
      operationId: 'updateTaskStatus',
      body: UpdateTaskStatus,
    },
    resource: Task,
    etag: taskEtag,
    errors: [403, 404],
    handler: (req) => updateTask(db, actorOf(req), req.params.id, req.body, expectedEtag(req)),
  })

  deleteOne(app, '/tasks/:id', {
    config: write,
    schema: { tags, summary: 'Delete a task with its subtasks and comments', operationId: 'deleteTask' },
    errors: [403, 404],
    handler: (req) => deleteTask({ db, queue }, actorOf(req), req.params.id, { expected: expectedEtag(req) }),
  })
}
