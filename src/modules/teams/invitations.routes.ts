import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Database } from '../../db/client.ts'
import { actorOf } from '../../http/auth.ts'
import { writesOf } from '../../http/idempotency.ts'
import { errors, IdParams, noContent, pageOf } from '../../http/schemas.ts'
import {
  AcceptedInvitation,
  CreateInvitation,
  Invitation,
  InvitationListQuery,
  InvitationParams,
  InvitationPreview,
  InvitationResult,
  InvitationTokenBody,
} from './invitations.schema.ts'
import {
  acceptInvitation,
  type InvitationDeps,
  inviteToTeam,
  listInvitations,
  previewInvitation,
  resendInvitation,
  revokeInvitation,
} from './invitations.service.ts'

const tags = ['teams']
const read = { scope: 'teams:read' } as const
const write = { scope: 'teams:write' } as const

/** Invitations of email addresses into a team, managed by its admins; accepted with the emailed link. */
export const invitationsRoutes: FastifyPluginAsyncZod<{ database: Database; queue: InvitationDeps['queue'] }> = async (
  app,
  { database, queue },
) => {
  const deps = { db: database.db, queue }

  app.post(
    '/teams/:id/invitations',
    {
      config: { ...write, idempotent: true },
      schema: {
        tags,
        summary: 'Invite an email address with a role (an address with an account becomes a member at once)',
        operationId: 'inviteToTeam',
        params: IdParams,
        body: CreateInvitation,
        response: { 201: InvitationResult, ...errors(403, 404, 409) },
      },
    },
    // no Location: an invitation has no GET route of its own (the list has it)
    async (req, reply) =>
      reply
        .code(201)
        .send(await inviteToTeam({ ...deps, db: writesOf(req, deps.db) }, actorOf(req), req.params.id, req.body)),
  )

  app.get(
    '/teams/:id/invitations',
    {
      config: read,
      schema: {
        tags,
        summary: "The team's open invitations, expired ones included (admin)",
        operationId: 'listTeamInvitations',
        params: IdParams,
        querystring: InvitationListQuery,
        response: { 200: pageOf(Invitation), ...errors(403, 404) },
      },
    },
    async (req) => listInvitations(deps.db, actorOf(req), req.params.id, req.query),
  )

  app.post(
    '/teams/:id/invitations/:invitationId/resend',
    {
      config: write,
      schema: {
        tags,
        summary: 'Email an open invitation again, valid 7 days from now (the older link stops working)',
        operationId: 'resendTeamInvitation',
        params: InvitationParams,
        response: { 200: Invitation, ...errors(403, 404) },
      },
    },
    async (req) => resendInvitation(deps, actorOf(req), req.params.id, req.params.invitationId),
  )

  app.delete(
    '/teams/:id/invitations/:invitationId',
    {
      config: write,
      schema: {
        tags,
        summary: 'Revoke an open invitation: its link stops working',
        operationId: 'revokeTeamInvitation',
        params: InvitationParams,
        response: { 204: noContent('Revoked'), ...errors(403, 404) },
      },
    },
    async (req, reply) => {
      await revokeInvitation(deps.db, actorOf(req), req.params.id, req.params.invitationId)
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/invitations/preview',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'What an invitation link offers (team, address, role), before signing in',
        operationId: 'previewInvitation',
        body: InvitationTokenBody,
        response: { 200: InvitationPreview, ...errors(404) },
      },
    },
    async (req) => previewInvitation(deps.db, req.body.token),
  )

  app.post(
    '/invitations/accept',
    {
      config: write,
      schema: {
        tags,
        summary: 'Accept an invitation as the signed-in caller and join its team',
        operationId: 'acceptInvitation',
        body: InvitationTokenBody,
        response: { 200: AcceptedInvitation, ...errors(403) },
      },
    },
    async (req) => acceptInvitation(deps.db, actorOf(req), req.body.token),
  )
}
