import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Database } from '../../db/client.ts'
import { actorOf } from '../../http/auth.ts'
import { forbidden, invalidField, tooManyRequests, unauthorized } from '../../http/problem.ts'
import { errors, Id, Limit, Text } from '../../http/schemas.ts'
import type { StreamSlots } from '../../infra/stream-slots.ts'
import { ActivityEntry } from '../activity/index.ts'
import type { Identity } from '../auth/index.ts'
import { credentialOf } from '../auth/index.ts'
import { type EventHub, MAX_STREAMS_PER_USER } from './event-hub.ts'
import { issueTicket, listChanges, parseEventId, redeemTicket } from './events.service.ts'

const tags = ['events']
const EventId = Text.max(20).regex(/^\d*$/)
const EventTicket = z
  .object({ ticket: z.string().max(100), expiresIn: z.number().int().meta({ format: 'int32' }) })
  .meta({ id: 'EventTicket', description: 'A single-use ticket for GET /events?ticket=, valid for expiresIn seconds' })
// a stream has no length; the bound is only there because every string in the document has one
const EventStream = z
  .string()
  .max(Number.MAX_SAFE_INTEGER)
  .meta({
    description:
      'One message per change: `id:` (the activity id, for Last-Event-ID), `event:` (the type, e.g. task.created) and `data:` ' +
      '(JSON: id, type, entityType, entityId, teamId, projectId, taskId, actorId, changes, at); a `:` comment every 15 s',
  })
const EntryId = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ format: 'int64' })
const ChangeFeedPage = z
  .object({
    items: z.array(ActivityEntry),
    nextCursor: z
      .string()
      .max(20)
      .nullable()
      .meta({ description: 'The last id of this page: pass it as `cursor` (or `after`) for the next page' }),
  })
  .meta({ id: 'ChangeFeedPage', description: 'Log entries after the one named, oldest first' })

const DownloadTicketRequest = z
  .object({
    path: Text.min(1)
      .max(500)
      .meta({
        description:
          'The download’s path, exactly as it will be requested: /api/v1/attachments/{id}/content, ' +
          '/api/v1/notes/{id}/file, /api/v1/exports/{id}/download or /api/v1/reports/{id}/download',
      }),
  })
  .meta({ id: 'DownloadTicketRequest', description: 'The download a ticket is for' })
const DownloadTicket = z
  .object({
    ticket: z.string().max(100),
    url: z.string().max(700).meta({ description: 'The path with `?ticket=`: open it in the browser' }),
    expiresIn: z.number().int().meta({ format: 'int32' }),
  })
  .meta({
    id: 'DownloadTicket',
    description: 'A single-use ticket for one download link, valid for expiresIn seconds',
  })

export const eventsRoutes: FastifyPluginAsyncZod<{
  database: Database
  hub: EventHub
  identity: Identity
  streams: StreamSlots
}> = async (app, { database, hub, identity, streams: slots }) => {
  const { db } = database

  app.post(
    '/events/ticket',
    {
      config: { scope: 'tasks:read' },
      schema: {
        tags,
        summary: 'A one-minute, single-use ticket for GET /events?ticket= (EventSource cannot send headers)',
        operationId: 'createEventTicket',
        response: { 200: EventTicket },
      },
    },
    async (req) => issueTicket(db, actorOf(req)),
  )

  app.post(
    '/download-tickets',
    {
      schema: {
        tags,
        summary:
          'A one-minute, single-use link for one download (a browser following a link sends no Authorization header)',
        operationId: 'createDownloadTicket',
        body: DownloadTicketRequest,
        response: { 200: DownloadTicket, ...errors(400) },
      },
    },
    async (req) => {
      const { path } = req.body
      if (!app.opensWithTicket(path)) throw invalidField('body.path', 'must be the path of a download under /api/v1')
      // who may download what is checked when the link is followed, as for any caller
      const { ticket, expiresIn } = await issueTicket(db, actorOf(req), path)
      return { ticket, url: `${path}?ticket=${ticket}`, expiresIn }
    },
  )

  app.get(
    '/events',
    {
      // authenticated by the bearer header or by a ticket, checked here
      config: { public: true, rateLimit: false },
      schema: {
        tags,
        summary: 'Server-Sent Events of every change the caller can see; resumes from Last-Event-ID',
        operationId: 'streamEvents',
        security: [{ bearerAuth: [] }, {}],
        querystring: z.object({
          ticket: Text.min(1).max(100).optional(),
          lastEventId: EventId.optional().meta({ description: 'For clients that cannot send Last-Event-ID' }),
        }),
        headers: z.object({ 'last-event-id': EventId.optional() }),
        response: {
          200: {
            description: 'The event stream, open until the client leaves',
            content: { 'text/event-stream': { schema: EventStream } },
          },
          ...errors(401, 403, 429),
        },
      },
    },
    async (req, reply) => {
      let actor = req.actor
      if (!actor && req.query.ticket) {
        // a ticket stands for what issued it, as that is now: it dies with its session or token, and
        // a token's ticket carries the token's scopes, never more than the owner's role allows now
        const issuedWith = await redeemTicket(db, req.query.ticket)
        if (issuedWith) actor = await identity.resume(issuedWith)
      }
      if (!actor) throw unauthorized('A bearer token or a valid ticket is required')
      if (!actor.scopes.includes('tasks:read')) throw forbidden('This token lacks the tasks:read scope')
      const after =
        parseEventId(req.headers['last-event-id'], 'headers.last-event-id') ??
        parseEventId(req.query.lastEventId, 'query.lastEventId')
      // counted in Redis when it is configured: the limit is the user's, whichever instances serve the streams
      const release = await slots.take(actor.userId, MAX_STREAMS_PER_USER)
      if (!release) throw tooManyRequests(5)

      reply.hijack()
      reply.raw.on('close', release)
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': req.id,
      })
      reply.raw.socket?.setTimeout(0)
      await hub.open({ ...credentialOf(actor), scopes: actor.scopes }, reply.raw, after)
    },
  )

  app.get(
    '/changes',
    {
      config: { scope: 'tasks:read' },
      schema: {
        tags,
        summary: 'The change feed: log entries after an id, oldest first, deletions included',
        operationId: 'listChanges',
        querystring: z.object({
          after: EntryId.optional().meta({
            description: 'The last entry id the client has (default 0: from the start)',
          }),
          cursor: EntryId.optional().meta({ description: "The previous page's nextCursor: the same as `after`" }),
          teamId: Id.optional(),
          limit: Limit,
        }),
        response: {
          200: ChangeFeedPage,
          ...errors(404),
        },
      },
    },
    async (req) => {
      const { after, cursor, ...query } = req.query
      if (after !== undefined && cursor !== undefined && after !== cursor) {
        throw invalidField('query.cursor', 'give after or cursor, not two different positions')
      }
      return listChanges(db, hub.follower, actorOf(req), { ...query, after: cursor ?? after ?? 0 })
    },
  )
}
