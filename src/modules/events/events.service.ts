import { and, asc, eq, gt, isNull, lt, lte } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { activity } from '../../db/tables/activity.ts'
import { eventTickets } from '../../db/tables/event-tickets.ts'
import type { Actor, Scope, TicketRedeemer } from '../../http/auth.ts'
import { invalidField } from '../../http/problem.ts'
import { randomSecret, sha256 } from '../../lib/crypto.ts'
import { requireRole } from '../access/index.ts'
import type { LogFollower } from '../activity/index.ts'
import { coveredBy, selectEntries, toActivityEntry, visibleEntries } from '../activity/index.ts'
import type { Identity, IssuedWith } from '../auth/index.ts'

const TICKET_TTL_SECONDS = 60

/**
 * A one-minute, single-use ticket for `GET /events?ticket=` (browsers' EventSource cannot send
 * headers), or with `path` for one download link (a browser following it sends no Authorization).
 */
export async function issueTicket(db: Db, actor: Actor, path: string | null = null) {
  const ticket = randomSecret()
  await db.insert(eventTickets).values({
    path,
    tokenHash: sha256(ticket),
    userId: actor.userId,
    scopes: actor.via === 'pat' ? [...actor.scopes] : null,
    expiresAt: new Date(Date.now() + TICKET_TTL_SECONDS * 1000),
    via: actor.via,
    sessionFamily: actor.sessionFamily ?? null,
    tokenId: actor.tokenId ?? null,
  })
  return { ticket, expiresIn: TICKET_TTL_SECONDS }
}

/**
 * Spends a ticket (for the event stream, or for the download at `path`): what it was issued with (the user, the session or the token and its scopes), or
 * null when it is unknown, used or expired. Whether that session or token still stands is for the
 * caller to check (identity.resume).
 */
export async function redeemTicket(db: Db, ticket: string, path: string | null = null): Promise<IssuedWith | null> {
  const [row] = await db
    .update(eventTickets)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(eventTickets.tokenHash, sha256(ticket)),
        isNull(eventTickets.usedAt),
        gt(eventTickets.expiresAt, new Date()),
        path === null ? isNull(eventTickets.path) : eq(eventTickets.path, path),
      ),
    )
    .returning()
  if (!row) return null
  return {
    userId: row.userId,
    via: row.via,
    ...(row.scopes ? { scopes: row.scopes as Scope[] } : {}),
    ...(row.sessionFamily ? { sessionFamily: row.sessionFamily } : {}),
    ...(row.tokenId ? { tokenId: row.tokenId } : {}),
  }
}

/** What the API's identify step spends a download link's `?ticket=` with: the caller as they are now, or null. */
export const downloadTickets =
  (db: Db, identity: Pick<Identity, 'resume'>): TicketRedeemer =>
  async (ticket, path) => {
    const issuedWith = await redeemTicket(db, ticket, path)
    return issuedWith ? identity.resume(issuedWith) : null
  }

/** Deletes tickets expired for more than an hour (each event stream and download takes one). Returns how many. */
export async function sweepTickets(db: Db, now = new Date()): Promise<number> {
  const gone = await db
    .delete(eventTickets)
    .where(lt(eventTickets.expiresAt, new Date(now.getTime() - 60 * 60_000)))
    .returning({ tokenHash: eventTickets.tokenHash })
  return gone.length
}

/** Parses a Last-Event-ID (an activity id); anything else is a 400. */
export function parseEventId(value: string | undefined, path: string): number | undefined {
  if (value === undefined || value === '') return undefined
  if (!/^\d{1,15}$/.test(value)) throw invalidField(path, 'must be an event id this stream sent')
  return Number(value)
}

/**
 * The change feed: entries after `after`, oldest first, deletions included, never past the safe
 * mark (so a client that stores the last id it saw never misses an entry committed late).
 */
export async function listChanges(
  db: Db,
  follower: LogFollower,
  actor: Actor,
  query: { after: number; teamId?: string; limit: number },
) {
  if (query.teamId) await requireRole(db, actor, query.teamId, 'viewer')
  const mark = await follower.settle(1_000)
  const rows = await selectEntries(db)
    .where(
      and(
        gt(activity.id, query.after),
        lte(activity.id, mark),
        visibleEntries(actor.userId),
        coveredBy(actor.scopes),
        query.teamId ? eq(activity.teamId, query.teamId) : undefined,
      ),
    )
    .orderBy(asc(activity.id))
    .limit(query.limit)
  const items = rows.map(toActivityEntry)
  const last = items.at(-1)
  return { items, nextCursor: items.length === query.limit && last ? String(last.id) : null }
}
