import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Database } from '../../db/client.ts'
import { actorOf } from '../../http/auth.ts'
import { expectedEtag } from '../../http/etag.ts'
import { writesOf } from '../../http/idempotency.ts'
import { deleteOne, getOne, sendCreated, writeOne } from '../../http/routes.ts'
import { errors, pageOf } from '../../http/schemas.ts'
import type { Queue } from '../../infra/queue.ts'
import { CreateTeam, Team, TeamListQuery, UpdateTeam } from './teams.schema.ts'
import { createTeam, deleteTeam, getTeam, listTeams, teamEtag, updateTeam } from './teams.service.ts'

const tags = ['teams']
const read = { scope: 'teams:read' } as const
const write = { scope: 'teams:write' } as const

export const teamsRoutes: FastifyPluginAsyncZod<{ database: Database; queue: Queue }> = async (
  app,
  { database, queue },
) => {
  const { db } = database

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
      const team = await createTeam(writesOf(req, db), actorOf(req), req.body)
      return sendCreated(reply, `/api/v1/teams/${team.id}`, team, teamEtag)
    },
  )

  getOne(app, '/teams/:id', {
    config: read,
    schema: { tags, summary: 'A team', operationId: 'getTeam' },
    resource: Team,
    errors: [403, 404],
    etag: teamEtag,
    handler: (req) => getTeam(db, actorOf(req), req.params.id),
  })

  writeOne(app, 'PATCH', '/teams/:id', {
    config: write,
    schema: { tags, summary: 'Rename a team (admin or owner)', operationId: 'updateTeam', body: UpdateTeam },
    resource: Team,
    errors: [403, 404],
    etag: teamEtag,
    handler: (req) => updateTeam(db, actorOf(req), req.params.id, req.body, expectedEtag(req)),
  })

  deleteOne(app, '/teams/:id', {
    config: write,
    schema: {
      tags,
      summary: 'Delete a team with its projects, tasks and tags (owner only; not a personal team)',
      operationId: 'deleteTeam',
    },
    errors: [403, 404, 409],
    handler: (req) => deleteTeam({ db, queue }, actorOf(req), req.params.id, expectedEtag(req)),
  })
}
