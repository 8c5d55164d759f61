import { and, asc, desc, eq, inArray, lt, ne, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import {
  type DeliveryRow,
  type WebhookRow,
  webhookAttempts,
  webhookDeliveries,
  webhooks,
} from '../../db/tables/webhooks.ts'
import type { Actor } from '../../http/auth.ts'
import { encodeCursor } from '../../http/cursor.ts'
import { decodeAfter } from '../../http/keyset.ts'
import { conflict, invalidField, notFound, preconditionFailed } from '../../http/problem.ts'
import type { Queue } from '../../infra/queue.ts'
import { randomSecret } from '../../lib/crypto.ts'
import { newId } from '../../lib/ids.ts'
import { iso } from '../../lib/time.ts'
import { requireRole } from '../access/index.ts'
import type { Action } from '../activity/index.ts'
import { recordActivity } from '../activity/index.ts'
import { DELIVER_JOB } from './webhooks.deliver.ts'
import type { CreateWebhook, Delivery, UpdateWebhook, Webhook } from './webhooks.schema.ts'

export interface WebhookDeps {
  db: Db
  queue: Queue
  /** throws UnsafeUrlError for a URL Tasklane must not call (see resolveTarget) */
  checkUrl(url: string): Promise<void>
}

export const toWebhook = (w: WebhookRow): Webhook => ({
  id: w.id,
  teamId: w.teamId,
  url: w.url,
  events: w.events,
  active: w.active,
  createdAt: iso(w.createdAt),
  updatedAt: iso(w.updatedAt),
  version: w.version,
})

async function checkUrl(deps: WebhookDeps, url: string) {
  try {
    await deps.checkUrl(url)
  } catch (err) {
    throw invalidField('body.url', (err as Error).message)
  }
}

const audit = (tx: Db, actor: Actor, w: WebhookRow, action: Action, changes = {}) =>
  recordActivity(tx, {
    actorId: actor.userId,
    action,
    entityType: 'webhook',
    entityId: w.id,
    teamId: w.teamId,
    changes,
  })

export async function createWebhook(
  deps: WebhookDeps,
  actor: Actor,
  teamId: string,
  input: CreateWebhook,
): Promise<Webhook & { secret: string }> {
  await requireRole(deps.db, actor, teamId, 'admin')
  await checkUrl(deps, input.url)
  const secret = input.secret ?? `whsec_${randomSecret(24)}`
  const row = await deps.db.transaction(async (tx) => {
    const [w] = await tx
      .insert(webhooks)
      .values({
        id: newId(),
        teamId,
        url: input.url,
        events: [...new Set(input.events)],
        secret,
        createdBy: actor.userId,
      })
      .returning()
    await audit(tx, actor, w!, 'webhook.created', { events: { from: null, to: w!.events } })
    return w!
  })
  return { ...toWebhook(row), secret }
}

export async function listWebhooks(db: Db, actor: Actor, teamId: string, q: { limit: number; cursor?: string }) {
  await requireRole(db, actor, teamId, 'admin')
  const after = decodeAfter(q.cursor, ['uuid'] as const)
  const rows = await db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.teamId, teamId), after ? lt(webhooks.id, after[0]) : undefined))
    .orderBy(desc(webhooks.id))
    .limit(q.limit + 1)
  const items = rows.slice(0, q.limit).map(toWebhook)
  return { items, nextCursor: rows.length > q.limit ? encodeCursor([items.at(-1)!.id]) : null }
}

/** The webhook, for a team admin or owner; 404 to anyone who cannot see its team. */
export async function webhookForAdmin(db: Db, actor: Actor, id: string): Promise<WebhookRow> {
  const [row] = await db.select().from(webhooks).where(eq(webhooks.id, id))
  if (!row) throw notFound('webhook', id)
  await requireRole(db, actor, row.teamId, 'admin', 'webhook', id)
  return row
}

export async function updateWebhook(
  deps: WebhookDeps,
  actor: Actor,
  id: string,
  input: UpdateWebhook,
  expected?: number,
): Promise<Webhook> {
  const before = await webhookForAdmin(deps.db, actor, id)
  if (expected !== undefined && before.version !== expected) throw preconditionFailed()
  if (input.url !== undefined) await checkUrl(deps, input.url)
  const row = await deps.db.transaction(async (tx) => {
    const [w] = await tx
      .update(webhooks)
      .set({
        ...(input.url !== undefined ? { url: input.url } : {}),
        ...(input.events !== undefined ? { events: [...new Set(input.events)] } : {}),
        // switched back on: the failure streak starts over
        ...(input.active !== undefined ? { active: input.active, failingSince: null, disabledAt: null } : {}),
        updatedAt: new Date(),
        version: sql`${webhooks.version} + 1`,
      })
      .where(and(eq(webhooks.id, id), eq(webhooks.version, before.version)))
      .returning()
    // changed since it was read (a concurrent PATCH): the If-Match, or our own read, is stale
    if (!w) throw preconditionFailed()
    const changes: Record<string, { from: unknown; to: unknown }> = {}
    if (input.events && input.events.join() !== before.events.join())
      changes.events = { from: before.events, to: w!.events }
    if (input.active !== undefined && input.active !== before.active)
      changes.active = { from: before.active, to: w!.active }
    if (input.url !== undefined && input.url !== before.url) changes.url = { from: null, to: null } // URLs may carry tokens
    await audit(tx, actor, w!, 'webhook.updated', changes)
    return w!
  })
  return toWebhook(row)
}

export async function deleteWebhook(db: Db, actor: Actor, id: string, expected?: number): Promise<void> {
  const row = await webhookForAdmin(db, actor, id)
  await db.transaction(async (tx) => {
    const [gone] = await tx
      .delete(webhooks)
      .where(and(eq(webhooks.id, id), expected === undefined ? undefined : eq(webhooks.version, expected)))
      .returning({ id: webhooks.id })
    if (!gone) throw preconditionFailed()
    await audit(tx, actor, row, 'webhook.deleted')
  })
}

async function toDeliveries(db: Db, rows: DeliveryRow[]): Promise<Delivery[]> {
  const attempts = rows.length
    ? await db
        .select()
        .from(webhookAttempts)
        .where(
          inArray(
            webhookAttempts.deliveryId,
            rows.map((r) => r.id),
          ),
        )
        .orderBy(asc(webhookAttempts.attempt))
    : []
  return rows.map((d) => ({
    id: d.id,
    webhookId: d.webhookId,
    activityId: d.activityId,
    type: d.type,
    status: d.status,
    attempts: attempts
      .filter((a) => a.deliveryId === d.id)
      .slice(-50)
      .map((a) => ({
        attempt: a.attempt,
        statusCode: a.statusCode,
        durationMs: a.durationMs,
        error: a.error,
        responseBody: a.responseBody,
        startedAt: iso(a.startedAt),
        finishedAt: iso(a.finishedAt),
      })),
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
  }))
}

/** A webhook's deliveries, newest first, each with every attempt. */
export async function listDeliveries(db: Db, actor: Actor, id: string, q: { limit: number; cursor?: string }) {
  await webhookForAdmin(db, actor, id)
  const after = decodeAfter(q.cursor, ['uuid'] as const)
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.webhookId, id), after ? lt(webhookDeliveries.id, after[0]) : undefined))
    .orderBy(desc(webhookDeliveries.id))
    .limit(q.limit + 1)
  const items = await toDeliveries(db, rows.slice(0, q.limit))
  return { items, nextCursor: rows.length > q.limit ? encodeCursor([items.at(-1)!.id]) : null }
}

/** Sends a delivery once more, under the same id (receivers that already have it may ignore it). */
export async function redeliver(deps: WebhookDeps, actor: Actor, id: string, deliveryId: string): Promise<Delivery> {
  await webhookForAdmin(deps.db, actor, id)
  const of = and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.webhookId, id))
  const [existing] = await deps.db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(of)
  if (!existing) throw notFound('delivery', deliveryId)
  const row = await deps.db.transaction(async (tx) => {
    // one send at a time per delivery: a pending one already has its job (retrying or queued)
    const [d] = await tx
      .update(webhookDeliveries)
      .set({ status: 'pending', updatedAt: new Date() })
      .where(and(of, ne(webhookDeliveries.status, 'pending')))
      .returning()
    if (!d) throw conflict('The delivery is still pending: it is being sent or will be retried')
    await deps.queue.send(DELIVER_JOB, { deliveryId, force: true }, { tx })
    return d
  })
  return (await toDeliveries(deps.db, [row]))[0]!
}

/** A `ping` event, sent now (even to a switched-off webhook: it is how one checks a fixed receiver). */
export async function ping(deps: WebhookDeps, actor: Actor, id: string): Promise<Delivery> {
  const w = await webhookForAdmin(deps.db, actor, id)
  const row = await deps.db.transaction(async (tx) => {
    const deliveryId = newId()
    const now = new Date()
    const payload = { id: deliveryId, type: 'ping', createdAt: iso(now), data: { webhookId: w.id, teamId: w.teamId } }
    const [d] = await tx
      .insert(webhookDeliveries)
      .values({ id: deliveryId, webhookId: w.id, type: 'ping', payload, createdAt: now, updatedAt: now })
      .returning()
    await deps.queue.send(DELIVER_JOB, { deliveryId, force: true }, { tx })
    return d!
  })
  return (await toDeliveries(deps.db, [row]))[0]!
}
