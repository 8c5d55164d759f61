import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { actorOf } from '../../http/auth.ts'
import { IfNoneMatchHeaders, NotModified } from '../../http/conditional.ts'
import { etagOf, expectedVersion, sendEtag } from '../../http/etag.ts'
import { errors, IdParams, IfMatchHeaders, NoContent, pageOf } from '../../http/schemas.ts'
import { CreateProject, Project, ProjectListQuery, UpdateProject } from './projects.schema.ts'
import { createProject, deleteProject, getProject, listProjects, updateProject } from './projects.service.ts'

const tags = ['projects']
const read = { scope: 'projects:read' } as const
const write = { scope: 'projects:write' } as const

export const projectsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.database

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
      const project = await createProject(db, actorOf(req), req.body)
      return reply
        .code(201)
        .header('location', `/api/v1/projects/${project.id}`)
        .header('etag', etagOf(project.version))
        .send(project)
    },
  )

  app.get(
    '/projects/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'A project (archived ones too)',
        operationId: 'getProject',
        params: IdParams,
        headers: IfNoneMatchHeaders,
        response: { 200: Project, 304: NotModified, ...errors(403, 404) },
      },
    },
    async (req, reply) => {
      const project = await getProject(db, actorOf(req), req.params.id)
      return sendEtag(req, reply, project.version) ? reply : project
    },
  )

  app.patch(
    '/projects/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Rename, describe, archive or unarchive a project (team admin or owner; not a personal Inbox)',
        operationId: 'updateProject',
        params: IdParams,
        headers: IfMatchHeaders,
        body: UpdateProject,
        response: { 200: Project, ...errors(403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      const project = await updateProject(db, actorOf(req), req.params.id, req.body, expectedVersion(req))
      return reply.header('etag', etagOf(project.version)).send(project)
    },
  )

  app.delete(
    '/projects/:id',
    {
      config: write,
      schema: {
        tags,
        summary: "Delete a project with its tasks (team admin or owner; not a personal team's Inbox)",
        operationId: 'deleteProject',
        params: IdParams,
        headers: IfMatchHeaders,
        response: { 204: NoContent, ...errors(403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      await deleteProject(db, actorOf(req), req.params.id, expectedVersion(req))
      return reply.code(204).send(null)
    },
  )
}
