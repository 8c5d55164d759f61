import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { actorOf } from '../../http/auth.ts'
import { IfNoneMatchHeaders, NotModified } from '../../http/conditional.ts'
import { etagOf, expectedVersion, sendEtag } from '../../http/etag.ts'
import { errors, IdParams, IfMatchHeaders, NoContent, pageOf } from '../../http/schemas.ts'
import { CreateTask, Task, TaskQuery, UpdateTask, UpdateTaskStatus } from './tasks.schema.ts'
import { deleteTask, getTask, listTasks } from './tasks.service.ts'
import { createTask, updateTask } from './tasks.write.ts'

const tags = ['tasks']
const read = { scope: 'tasks:read' as const }
const write = { scope: 'tasks:write' as const }

export const tasksRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.database

  app.get(
    '/tasks',
    {
      config: read,
      schema: {
        tags,
        summary: 'Tasks the caller can see, filtered and sorted (keyset pages)',
        operationId: 'listTasks',
        querystring: TaskQuery,
        response: { 200: pageOf(Task), ...errors(403, 404) },
      },
    },
    async (req) => listTasks(db, actorOf(req), req.query),
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
      const task = await createTask(db, actorOf(req), req.body)
      return reply
        .code(201)
        .header('location', `/api/v1/tasks/${task.id}`)
        .header('etag', etagOf(task.version))
        .send(task)
    },
  )

  app.get(
    '/tasks/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'A task with its tags, assignee and subtask count',
        operationId: 'getTask',
        params: IdParams,
        headers: IfNoneMatchHeaders,
        response: { 200: Task, 304: NotModified, ...errors(404) },
      },
    },
    async (req, reply) => {
      const task = await getTask(db, actorOf(req), req.params.id)
      return sendEtag(req, reply, task.version) ? reply : task
    },
  )

  app.patch(
    '/tasks/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Update a task (JSON Merge Patch: null clears a field, a missing one stays)',
        operationId: 'updateTask',
        params: IdParams,
        headers: IfMatchHeaders,
        body: UpdateTask,
        response: { 200: Task, ...errors(403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      const task = await updateTask(db, actorOf(req), req.params.id, req.body, expectedVersion(req))
      return reply.header('etag', etagOf(task.version)).send(task)
    },
  )

  app.patch(
    '/tasks/:id/status',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change the status of a task (completing a recurring task creates its next occurrence)',
        operationId: 'updateTaskStatus',
        params: IdParams,
        headers: IfMatchHeaders,
        body: UpdateTaskStatus,
        response: { 200: Task, ...errors(403, 404, 412) },
      },
    },
    async (req, reply) => {
      const task = await updateTask(db, actorOf(req), req.params.id, req.body, expectedVersion(req))
      return reply.header('etag', etagOf(task.version)).send(task)
    },
  )

  app.delete(
    '/tasks/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Delete a task with its subtasks and comments',
        operationId: 'deleteTask',
        params: IdParams,
        headers: IfMatchHeaders,
        response: { 204: NoContent, ...errors(403, 404, 412) },
      },
    },
    async (req, reply) => {
      await deleteTask(db, actorOf(req), req.params.id, { expected: expectedVersion(req) })
      return reply.code(204).send(null)
    },
  )
}
