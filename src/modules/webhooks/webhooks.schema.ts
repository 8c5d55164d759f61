import { z } from 'zod'
import { Id, PageQuery, Text, Timestamp } from '../../http/schemas.ts'
import { ACTIONS } from '../activity/index.ts'

const WebhookUrl = Text.trim().min(1).max(2000).meta({ description: 'http(s) URL on a public address' })
/** What a webhook may subscribe to: an action of the catalog, or `*` for all. */
const WebhookEvent = z
  .enum(['*', ...ACTIONS], {
    error: (issue) => `unknown event ${JSON.stringify(issue.input)}: an activity action such as task.created, or *`,
  })
  .meta({ id: 'WebhookEvent' })
const EventFilter = z
  .array(WebhookEvent)
  .min(1)
  .max(50)
  .meta({ description: 'Activity actions to receive (task.created, comment.created, …), or ["*"] for all' })

export const Webhook = z
  .object({
    id: Id,
    teamId: Id,
    url: z.string().max(2000),
    events: z.array(z.string().max(100)).max(50),
    active: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    version: z.number().int().meta({ description: 'Bumped by every change; the ETag' }),
  })
  .meta({ id: 'Webhook', description: 'A webhook of a team (never its secret)' })
export type Webhook = z.infer<typeof Webhook>

export const CreatedWebhook = Webhook.extend({
  secret: z.string().max(200).meta({ description: 'The signing secret, shown only in this response' }),
}).meta({ id: 'CreatedWebhook', description: 'A new webhook, with its signing secret' })

export const CreateWebhook = z
  .strictObject({
    url: WebhookUrl,
    events: EventFilter,
    secret: Text.min(16).max(200).optional().meta({ description: 'Generated when not given' }),
  })
  .meta({ id: 'CreateWebhook', description: 'A new webhook: where to send which events' })
export type CreateWebhook = z.infer<typeof CreateWebhook>
export const UpdateWebhook = z
  .strictObject({
    url: WebhookUrl.optional(),
    events: EventFilter.optional(),
    active: z.boolean().optional(),
  })
  .meta({ id: 'UpdateWebhook', description: 'JSON Merge Patch of a webhook' })
export type UpdateWebhook = z.infer<typeof UpdateWebhook>
export const TeamIdParams = z.object({ id: Id })
export const DeliveryParams = z.object({ id: Id, deliveryId: Id })
export const WebhookListQuery = PageQuery

const Attempt = z.object({
  attempt: z.number().int(),
  statusCode: z.number().int().nullable(),
  durationMs: z.number().int(),
  error: z.string().max(1000).nullable(),
  responseBody: z.string().max(4096).nullable().meta({ description: 'The first 4 KB of the answer' }),
  startedAt: Timestamp,
  finishedAt: Timestamp,
})

export const Delivery = z
  .object({
    id: Id.meta({ description: 'The Tasklane-Delivery header: the same on every attempt' }),
    webhookId: Id,
    activityId: z.number().int().nullable(),
    type: z.string().max(100),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.array(Attempt).max(50).meta({ description: 'Every attempt (the latest 50)' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'WebhookDelivery', description: 'One event sent to a webhook, with every attempt' })
export type Delivery = z.infer<typeof Delivery>
