import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { teams } from './teams.ts'
import { users } from './users.ts'

/** A team's subscription: the activity actions it wants (`*` for all), POSTed signed to `url`. */
export const webhooks = pgTable(
  'webhooks',
  {
    id: uuid().primaryKey(),
    teamId: uuid()
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    url: text().notNull(),
    events: text().array().notNull(),
    secret: text().notNull(),
    active: boolean().notNull().default(true),
    createdBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    // start of the current run of failed attempts (null after a success): 3 days of it switch the hook off
    failingSince: timestamp({ withTimezone: true, precision: 3 }),
    disabledAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    // the ETag: bumped by every change a client makes (not by delivery bookkeeping)
    version: integer().notNull().default(1),
  },
  (t) => [index('webhooks_team_id_idx').on(t.teamId, t.id)],
)
export type WebhookRow = typeof webhooks.$inferSelect

const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const

/**
 * One event for one webhook; its id is the `Tasklane-Delivery` header, the same on every attempt.
 * A log entry gives at most one delivery per webhook (unique index): the dispatcher's guarantee.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid().primaryKey(),
    webhookId: uuid()
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    // null for pings
    activityId: bigint({ mode: 'number' }),
    type: text().notNull(),
    // the body sent, kept so retries and redeliveries send the same bytes' content
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    status: text({ enum: DELIVERY_STATUSES }).notNull().default('pending'),
    attempts: integer().notNull().default(0),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('webhook_deliveries_webhook_id_idx').on(t.webhookId, t.id),
    uniqueIndex('webhook_deliveries_entry_key').on(t.webhookId, t.activityId).where(sql`${t.activityId} is not null`),
  ],
)
export type DeliveryRow = typeof webhookDeliveries.$inferSelect

/** Every HTTP attempt of a delivery: what the receiver answered, how long it took. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: uuid().primaryKey(),
    deliveryId: uuid()
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attempt: integer().notNull(),
    statusCode: integer(),
    durationMs: integer().notNull(),
    error: text(),
    // the first few KB of the answer
    responseBody: text(),
    startedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    finishedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [index('webhook_attempts_delivery_id_idx').on(t.deliveryId, t.attempt)],
)

/** How far a reader of the activity log has handed entries on (webhooks, notifications); locked while it moves. */
export const logCursors = pgTable('log_cursors', {
  name: text().primaryKey(),
  position: bigint({ mode: 'number' }).notNull(),
  updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
})

/**
 * A log entry one consumer of a cursor failed on. The cursor moves past it (one bad entry must not
 * hold back every later one); the dispatcher retries it at `nextAttemptAt` with backoff, deletes the
 * row once it succeeds, and after the last attempt sets it aside (`setAsideAt`) for an operator.
 */
export const logDispatchFailures = pgTable(
  'log_dispatch_failures',
  {
    cursor: text().notNull(),
    activityId: bigint({ mode: 'number' }).notNull(),
    consumer: text().notNull(),
    attempts: integer().notNull(),
    lastError: text().notNull(),
    nextAttemptAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    setAsideAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.cursor, t.activityId, t.consumer] }),
    index('log_dispatch_failures_due_idx').on(t.cursor, t.nextAttemptAt).where(sql`${t.setAsideAt} is null`),
  ],
)
