import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Database } from '../../db/client.ts'
import { actorOf } from '../../http/auth.ts'
import { writesOf } from '../../http/idempotency.ts'
import { errors, IdParams, noContent, pageOf } from '../../http/schemas.ts'
import { addMember, listMembers, removeMember, updateMember } from './members.service.ts'
import { AddMember, Member, MemberListQuery, MemberParams, UpdateMember } from './teams.schema.ts'

const tags = ['teams']
const read = { scope: 'teams:read' } as const
const write = { scope: 'teams:write' } as const

/** Team membership: admins manage members, owners manage owners, and a team always keeps an owner. */
export const membersRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (app, { database }) => {
  const { db } = database

  app.get(
    '/teams/:id/members',
    {
      config: read,
      schema: {
        tags,
        summary: 'The members of a team, in the order they joined',
        operationId: 'listTeamMembers',
        params: IdParams,
        querystring: MemberListQuery,
        response: { 200: pageOf(Member), ...errors(404) },
      },
    },
    async (req) => listMembers(db, actorOf(req), req.params.id, req.query),
  )

  app.post(
    '/teams/:id/members',
    {
      config: { ...write, idempotent: true },
      schema: {
        tags,
        summary: 'Add a registered user to a team (admin; only an owner adds an owner)',
        operationId: 'addTeamMember',
        params: IdParams,
        body: AddMember,
        response: { 201: Member, ...errors(403, 404, 409) },
      },
    },
    // no Location: a membership has no GET route of its own
    async (req, reply) =>
      reply.code(201).send(await addMember(writesOf(req, db), actorOf(req), req.params.id, req.body)),
  )

  app.patch(
    '/teams/:id/members/:userId',
    {
      config: write,
      schema: {
        tags,
        summary: "Change a member's role; making another member owner transfers ownership",
        operationId: 'updateTeamMember',
        params: MemberParams,
        body: UpdateMember,
        response: { 200: Member, ...errors(403, 404, 409) },
      },
    },
    async (req) => updateMember(db, actorOf(req), req.params.id, req.params.userId, req.body),
  )

  app.delete(
    '/teams/:id/members/:userId',
    {
      config: write,
      schema: {
        tags,
        summary: 'Remove a member, or leave the team (your own user id); the last owner cannot leave',
        operationId: 'removeTeamMember',
        params: MemberParams,
        response: { 204: noContent('Removed from the team'), ...errors(403, 404, 409) },
      },
    },
    async (req, reply) => {
      await removeMember(db, actorOf(req), req.params.id, req.params.userId)
      return reply.code(204).send(null)
    },
  )
}
