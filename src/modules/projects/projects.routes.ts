import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Database } from '../../db/client.ts'
import { actorOf } from '../../http/auth.ts'
import { expectedVersion } from '../../http/etag.ts'
import { writesOf } from '../../http/idempotency.ts'
import { deleteOne, getOne, sendCreated, writeOne } from '../../http/routes.ts'
import { errors, pageOf } from '../../http/schemas.ts'
import type { Queue } from '../../infra/queue.ts'
import { CreateProject, Project, ProjectListQuery, UpdateProject } from './projects.schema.ts'
import { createProject, deleteProject, getProject, listProjects, updateProject } from './projects.service.ts'

const tags = ['projects']
const read = { scope: 'projects:read' } as const
const write = { scope: 'projects:write' } as const

export const projectsRoutes: FastifyPluginAsyncZod<{ database: Database; queue: Queue }> = async (
  app,
  { database, queue },
) => {
  const { db } = database

  app.get(
    '/projects',
    {
      config: read,
      schema: {
        tags,
        summary: 'Projects of one team, or of every team the caller sees',
        operationId: 'listProjects',
        querystring: ProjectListQuery,
        response: { 200: pageOf(Project), ...errors(403, 404) },
      },
    },
    async (req) => listProjects(db, actorOf(req), req.query),
  )

  app.post(
    '/projects',
    {
      config: { ...write, idempotent: true },
      schema: {
        tags,
        summary: 'Create a project in a team (team admin or owner)',
        operationId: 'createProject',
        body: CreateProject,
        response: { 201: Project, ...errors(403) },
      },
    },
    async (req, reply) => {
      const project = await createProject(writesOf(req, db), actorOf(req), req.body)
      return sendCreated(reply, `/api/v1/projects/${project.id}`, project)
    },
  )

  getOne(app, '/projects/:id', {
    config: read,
    schema: { tags, summary: 'A project (archived ones too)', operationId: 'getProject' },
    resource: Project,
    errors: [403, 404],
    handler: (req) => getProject(db, actorOf(req), req.params.id),
  })

  writeOne(app, 'PATCH', '/projects/:id', {
    config: write,
    schema: {
      tags,
      summary: 'Rename, describe, archive or unarchive a project (team admin or owner; not a personal Inbox)',
      operationId: 'updateProject',
      body: UpdateProject,
    },
    resource: Project,
    errors: [403, 404, 409],
    handler: (req) => updateProject(db, actorOf(req), req.params.id, req.body, expectedVersion(req)),
  })

  deleteOne(app, '/projects/:id', {
    config: write,
    schema: {
      tags,
      summary: "Delete a project with its tasks (team admin or owner; not a personal team's Inbox)",
      operationId: 'deleteProject',
    },
    errors: [403, 404, 409],
    handler: (req) => deleteProject({ db, queue }, actorOf(req), req.params.id, expectedVersion(req)),
  })
}
