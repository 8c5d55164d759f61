import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { actorOf } from '../../http/auth.ts'
import { IfNoneMatchHeaders, NotModified } from '../../http/conditional.ts'
import { etagOf, expectedVersion, sendEtag } from '../../http/etag.ts'
import { errors, IdParams, IfMatchHeaders, NoContent, pageOf } from '../../http/schemas.ts'
import { CreateTeam, Team, TeamListQuery, UpdateTeam } from './teams.schema.ts'
import { createTeam, deleteTeam, getTeam, listTeams, updateTeam } from './teams.service.ts'

const tags = ['teams']
const read = { scope: 'teams:read' } as const
const write = { scope: 'teams:write' } as const

export const teamsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.database

  app.get(
    '/teams',
    {
      config: read,
      schema: {
        tags,
        summary: 'The teams the caller belongs to (a global admin: every team)',
        operationId: 'listTeams',
        querystring: TeamListQuery,
        response: { 200: pageOf(Team) },
      },
    },
    async (req) => listTeams(db, actorOf(req), req.query),
  )

  app.post(
    '/teams',
    {
      config: { ...write, idempotent: true },
      schema: {
        tags,
        summary: 'Create a team; the caller becomes its owner',
        operationId: 'createTeam',
        body: CreateTeam,
        response: { 201: Team, ...errors(403) },
      },
    },
    async (req, reply) => {
      const team = await createTeam(db, actorOf(req), req.body)
      return reply
        .code(201)
        .header('location', `/api/v1/teams/${team.id}`)
        .header('etag', etagOf(team.version))
        .send(team)
    },
  )

  app.get(
    '/teams/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'A team',
        operationId: 'getTeam',
        params: IdParams,
        headers: IfNoneMatchHeaders,
        response: { 200: Team, 304: NotModified, ...errors(403, 404) },
      },
    },
    async (req, reply) => {
      const team = await getTeam(db, actorOf(req), req.params.id)
      return sendEtag(req, reply, team.version) ? reply : team
    },
  )

  app.patch(
    '/teams/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Rename a team (admin or owner)',
        operationId: 'updateTeam',
        params: IdParams,
        headers: IfMatchHeaders,
        body: UpdateTeam,
        response: { 200: Team, ...errors(403, 404, 412) },
      },
    },
    async (req, reply) => {
      const team = await updateTeam(db, actorOf(req), req.params.id, req.body, expectedVersion(req))
      return reply.header('etag', etagOf(team.version)).send(team)
    },
  )

  app.delete(
    '/teams/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Delete a team with its projects, tasks and tags (owner only; not a personal team)',
        operationId: 'deleteTeam',
        params: IdParams,
        headers: IfMatchHeaders,
        response: { 204: NoContent, ...errors(403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      await deleteTeam(db, actorOf(req), req.params.id, expectedVersion(req))
      return reply.code(204).send(null)
    },
  )
}
