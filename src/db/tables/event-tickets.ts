import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { users } from './users.ts'

/**
 * One-minute, single-use tickets for what a browser opens without headers: `GET /events?ticket=`
 * (EventSource cannot send them) and a download link (`path`). Kept in the database so a ticket
 * issued by one instance works on any other. No foreign key to the session or token: a ticket is
 * checked against them when it is spent.
 */
export const eventTickets = pgTable(
  'event_tickets',
  {
    tokenHash: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    usedAt: timestamp({ withTimezone: true, precision: 3 }),
    /** the scopes of the credentials that took the ticket: a token's stream sees what the token may (null: a session's) */
    scopes: text().array(),
    // what the ticket was issued with: it dies with that session or token
    via: text({ enum: ['session', 'pat', 'oidc'] })
      .notNull()
      .default('session'),
    sessionFamily: uuid(),
    tokenId: uuid(),
    /** the one download path (`/api/v1/…`, no query) the ticket opens; null: the event stream */
    path: text(),
  },
  (t) => [index('event_tickets_expires_at_idx').on(t.expiresAt)],
)
