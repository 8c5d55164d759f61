import { and, asc, eq, gt, ilike, inArray, or, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { serverError, UNIQUE_VIOLATION } from '../../db/errors.ts'
import { teamMembers } from '../../db/tables/teams.ts'
import { type UserRow, users } from '../../db/tables/users.ts'
import type { Actor } from '../../http/auth.ts'
import { page } from '../../http/cursor.ts'
import { decodeAfter } from '../../http/keyset.ts'
import { conflict, notFound, preconditionFailed } from '../../http/problem.ts'
import { newId } from '../../lib/ids.ts'
import { iso } from '../../lib/time.ts'
import { visibleTo } from '../access/index.ts'
import type { Me, User } from './users.schema.ts'

export const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  emailVerified: row.emailVerified,
  ...(row.externalId ? { externalId: row.externalId } : {}),
  createdAt: iso(row.createdAt),
})

export const toMe = (row: UserRow): Me => ({
  ...toUser(row),
  disabled: row.disabled,
  notifications: { assigned: true, reminders: true, webhooks: true, jobs: true, ...row.notifications },
})

/**
 * Inserts a user. The unique index on lower(email) decides between two concurrent registrations:
 * the loser gets 409. Call inside the transaction that also creates what a new user owns.
 */
export async function insertUser(
  tx: Db,
  values: {
    email: string
    name: string
    passwordHash: string | null
    role?: 'user' | 'admin'
    externalId?: string
    emailVerified?: boolean
  },
): Promise<UserRow> {
  try {
    const [row] = await tx
      .insert(users)
      .values({ id: newId(), ...values })
      .returning()
    return row!
  } catch (err) {
    if (serverError(err)?.code === UNIQUE_VIOLATION) throw conflict('Email already registered')
    throw err
  }
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`)
  return row
}

export async function getUserRow(db: Db, id: string): Promise<UserRow> {
  const [row] = await db.select().from(users).where(eq(users.id, id))
  if (!row) throw notFound('user', id)
  return row
}

/**
 * Applies a merge patch to the caller's profile. Notification preferences are merged inside the
 * statement, so two concurrent changes of different kinds both stick; with `expected` (If-Match)
 * the update applies only to that version, else 412.
 */
export async function updateMe(
  db: Db,
  actor: Actor,
  input: { name?: string; notifications?: Record<string, boolean | undefined> },
  expected?: number,
): Promise<UserRow> {
  const notifications = input.notifications
    ? Object.fromEntries(Object.entries(input.notifications).filter(([, v]) => v !== undefined))
    : undefined
  const [row] = await db
    .update(users)
    .set({
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(notifications
        ? { notifications: sql`${users.notifications} || ${JSON.stringify(notifications)}::jsonb` }
        : {}),
      updatedAt: new Date(),
      version: sql`${users.version} + 1`,
    })
    .where(and(eq(users.id, actor.userId), expected === undefined ? undefined : eq(users.version, expected)))
    .returning()
  if (row) return row
  if (expected !== undefined) throw preconditionFailed()
  throw notFound('user', actor.userId)
}

/** Identity-provider lookup: admins see any user, others only themselves (404 otherwise). */
export async function getUserByExternalId(db: Db, actor: Actor, externalId: string): Promise<User> {
  const [row] = await db.select().from(users).where(eq(users.externalId, externalId))
  if (!row || (actor.role !== 'admin' && row.id !== actor.userId)) throw notFound('user', externalId)
  return toUser(row)
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)
const userMatches = (q: string) => {
  const pattern = `%${escapeLike(q)}%`
  return or(ilike(users.email, pattern), ilike(users.name, pattern))
}

type UserPageQuery = { q?: string; limit: number; cursor?: string }

/** A page of users matching `scope` (and `q`), keyset-paginated by (createdAt, id). */
async function pageOfUsers(db: Db, scope: SQL | undefined, query: UserPageQuery) {
  const after = decodeAfter(query.cursor, ['timestamptz', 'uuid'])
  const rows = await db
    .select()
    .from(users)
    .where(
      and(
        scope,
        query.q ? userMatches(query.q) : undefined,
        after
          ? or(
              gt(users.createdAt, new Date(after[0])),
              and(eq(users.createdAt, new Date(after[0])), gt(users.id, after[1])),
            )
          : undefined,
      ),
    )
    .orderBy(asc(users.createdAt), asc(users.id))
    .limit(query.limit + 1)
  return page(rows, query.limit, (r) => [r.createdAt.toISOString(), r.id])
}

/** Every user (admin list), keyset-paginated by (createdAt, id). */
export async function listAllUsers(db: Db, query: UserPageQuery) {
  const result = await pageOfUsers(db, undefined, query)
  return { items: result.items.map((r) => ({ ...toUser(r), disabled: r.disabled })), nextCursor: result.nextCursor }
}

/**
 * The users who share a team with the caller (assignee pickers); a global admin sees everyone.
 * Scoped through the teams the caller sees, by the one visibility rule.
 */
export async function searchUsers(db: Db, actor: Actor, query: UserPageQuery) {
  const scope =
    actor.role === 'admin'
      ? undefined
      : inArray(
          users.id,
          db.select({ id: teamMembers.userId }).from(teamMembers).where(visibleTo(actor, teamMembers.teamId)),
        )
  const result = await pageOfUsers(db, scope, query)
  return { items: result.items.map(toUser), nextCursor: result.nextCursor }
}
