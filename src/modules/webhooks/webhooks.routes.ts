import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Config } from '../../config.ts'
import type { Database } from '../../db/client.ts'
import { actorOf } from '../../http/auth.ts'
import { expectedVersion } from '../../http/etag.ts'
import { writesOf } from '../../http/idempotency.ts'
import { deleteOne, getOne, sendCreated, writeOne } from '../../http/routes.ts'
import { errors, IdParams, pageOf } from '../../http/schemas.ts'
import { resolveTarget } from './ssrf.ts'
import {
  CreatedWebhook,
  CreateWebhook,
  Delivery,
  DeliveryParams,
  TeamIdParams,
  UpdateWebhook,
  Webhook,
  WebhookListQuery,
} from './webhooks.schema.ts'
import {
  createWebhook,
  deleteWebhook,
  listDeliveries,
  listWebhooks,
  ping,
  redeliver,
  toWebhook,
  updateWebhook,
  type WebhookDeps,
  webhookForAdmin,
} from './webhooks.service.ts'

const tags = ['webhooks']
const read = { scope: 'teams:read' } as const
const write = { scope: 'teams:write' } as const

/** A team's webhooks, managed by its admins and owners. */
export const webhooksRoutes: FastifyPluginAsyncZod<{
  database: Database
  queue: WebhookDeps['queue']
  config: Pick<Config, 'WEBHOOK_ALLOW_PRIVATE'>
}> = async (app, { database, queue, config }) => {
  const { db } = database
  const deps: WebhookDeps = {
    db,
    queue,
    checkUrl: async (url) => {
      await resolveTarget(url, { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE })
    },
  }

  app.get(
    '/teams/:id/webhooks',
    {
      config: read,
      schema: {
        tags,
        summary: "A team's webhooks (team admin or owner), newest first; secrets are never shown again",
        operationId: 'listWebhooks',
        params: TeamIdParams,
        querystring: WebhookListQuery,
        response: { 200: pageOf(Webhook), ...errors(403, 404) },
      },
    },
    async (req) => listWebhooks(db, actorOf(req), req.params.id, req.query),
  )

  app.post(
    '/teams/:id/webhooks',
    {
      config: { ...write, idempotent: true },
      schema: {
        tags,
        summary: 'Create a webhook (team admin or owner); the signing secret is shown only in this response',
        operationId: 'createWebhook',
        params: TeamIdParams,
        body: CreateWebhook,
        response: { 201: CreatedWebhook, ...errors(403, 404) },
      },
    },
    async (req, reply) => {
      const hook = await createWebhook({ ...deps, db: writesOf(req, db) }, actorOf(req), req.params.id, req.body)
      return sendCreated(reply, `/api/v1/webhooks/${hook.id}`, hook)
    },
  )

  getOne(app, '/webhooks/:id', {
    config: read,
    schema: { tags, summary: 'A webhook (team admin or owner)', operationId: 'getWebhook' },
    resource: Webhook,
    errors: [403, 404],
    handler: async (req) => toWebhook(await webhookForAdmin(db, actorOf(req), req.params.id)),
  })

  writeOne(app, 'PATCH', '/webhooks/:id', {
    config: write,
    schema: {
      tags,
      summary: 'Change a webhook’s URL, events or active flag (switching it on again clears its failure streak)',
      operationId: 'updateWebhook',
      body: UpdateWebhook,
    },
    resource: Webhook,
    errors: [403, 404],
    handler: (req) => updateWebhook(deps, actorOf(req), req.params.id, req.body, expectedVersion(req)),
  })

  deleteOne(app, '/webhooks/:id', {
    config: write,
    schema: { tags, summary: 'Delete a webhook and its delivery history', operationId: 'deleteWebhook' },
    errors: [403, 404],
    handler: (req) => deleteWebhook(db, actorOf(req), req.params.id, expectedVersion(req)),
  })

  app.get(
    '/webhooks/:id/deliveries',
    {
      config: read,
      schema: {
        tags,
        summary:
          'A webhook’s deliveries, newest first, each with every attempt (status, duration, error, start of the answer)',
        operationId: 'listWebhookDeliveries',
        params: IdParams,
        querystring: WebhookListQuery,
        response: { 200: pageOf(Delivery), ...errors(403, 404) },
      },
    },
    async (req) => listDeliveries(db, actorOf(req), req.params.id, req.query),
  )

  app.post(
    '/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      config: write,
      schema: {
        tags,
        summary: 'Send a delivery again, under the same Tasklane-Delivery id (409 while it is still pending)',
        operationId: 'redeliverWebhookDelivery',
        params: DeliveryParams,
        response: { 202: Delivery, ...errors(403, 404, 409) },
      },
    },
    async (req, reply) =>
      reply.code(202).send(await redeliver(deps, actorOf(req), req.params.id, req.params.deliveryId)),
  )

  app.post(
    '/webhooks/:id/ping',
    {
      config: write,
      schema: {
        tags,
        summary: 'Send a `ping` event to the webhook now',
        operationId: 'pingWebhook',
        params: IdParams,
        response: { 202: Delivery, ...errors(403, 404) },
      },
    },
    async (req, reply) => reply.code(202).send(await ping(deps, actorOf(req), req.params.id)),
  )
}
