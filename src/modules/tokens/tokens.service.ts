import { and, count, desc, eq, gt, isNull, lt, or } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type ApiTokenRow, apiTokens } from '../../db/tables/tokens.ts'
import { users } from '../../db/tables/users.ts'
import { type Actor, type Scope, scopesForRole } from '../../http/auth.ts'
import { page } from '../../http/cursor.ts'
import { decodeAfter } from '../../http/keyset.ts'
import { conflict, invalidField, notFound } from '../../http/problem.ts'
import { randomSecret, sha256 } from '../../lib/crypto.ts'
import { newId } from '../../lib/ids.ts'
import { iso, isoOrNull } from '../../lib/time.ts'
import type { ApiToken } from './tokens.schema.ts'

export const PAT_PREFIX = 'tl_pat_'
/** Active (neither revoked nor expired) personal access tokens a user may hold; one more is a 409. */
export const MAX_ACTIVE_TOKENS = 50

const toApiToken = (row: ApiTokenRow): ApiToken => ({
  id: row.id,
  name: row.name,
  scopes: row.scopes as Scope[],
  expiresAt: isoOrNull(row.expiresAt),
  createdAt: iso(row.createdAt),
  lastUsedAt: isoOrNull(row.lastUsedAt),
})

export async function createApiToken(
  db: Db,
  actor: Actor,
  input: { name: string; scopes: Scope[]; expiresAt?: string },
): Promise<ApiToken & { secret: string }> {
  const allowed = scopesForRole(actor.role)
  const denied = input.scopes.filter((s) => !allowed.includes(s))
  if (denied.length) throw invalidField('body.scopes', `your role cannot grant ${denied.join(', ')}`)
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null
  if (expiresAt && expiresAt.getTime() <= Date.now()) throw invalidField('body.expiresAt', 'must be in the future')
  const secret = `${PAT_PREFIX}${randomSecret()}`
  const row = await db.transaction(async (tx) => {
    // the user's row serialises their concurrent creates, so the count below cannot go stale
    await tx.select({ id: users.id }).from(users).where(eq(users.id, actor.userId)).for('no key update')
    const [active] = await tx
      .select({ n: count() })
      .from(apiTokens)
      .where(
        and(
          eq(apiTokens.userId, actor.userId),
          isNull(apiTokens.revokedAt),
          or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, new Date())),
        ),
      )
    if (active!.n >= MAX_ACTIVE_TOKENS) {
      throw conflict(`You have ${MAX_ACTIVE_TOKENS} active personal access tokens, the most allowed: revoke one first`)
    }
    const [inserted] = await tx
      .insert(apiTokens)
      .values({
        id: newId(),
        userId: actor.userId,
        name: input.name,
        tokenHash: sha256(secret),
        scopes: [...new Set(input.scopes)],
        expiresAt,
      })
      .returning()
    return inserted!
  })
  return { ...toApiToken(row), secret }
}

/** The caller's live tokens, newest first, keyset-paginated by (createdAt, id). */
export async function listApiTokens(
  db: Db,
  actor: Actor,
  query: { limit: number; cursor?: string },
): Promise<{ items: ApiToken[]; nextCursor: string | null }> {
  const after = decodeAfter(query.cursor, ['timestamptz', 'uuid'])
  const rows = await db
    .select()
    .from(apiTokens)
    .where(
      and(
        eq(apiTokens.userId, actor.userId),
        isNull(apiTokens.revokedAt),
        after
          ? or(
              lt(apiTokens.createdAt, new Date(after[0])),
              and(eq(apiTokens.createdAt, new Date(after[0])), lt(apiTokens.id, after[1])),
            )
          : undefined,
      ),
    )
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id))
    .limit(query.limit + 1)
  const result = page(rows, query.limit, (r) => [r.createdAt.toISOString(), r.id])
  return { items: result.items.map(toApiToken), nextCursor: result.nextCursor }
}

export async function revokeApiToken(db: Db, actor: Actor, id: string): Promise<void> {
  const rows = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, actor.userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id })
  if (!rows.length) throw notFound('token', id)
}

/** The live token a secret names, or undefined. */
export async function findApiToken(db: Db, secret: string): Promise<ApiTokenRow | undefined> {
  const [row] = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, sha256(secret)), isNull(apiTokens.revokedAt)))
  return row
}

/** Records use at most once a minute per token (the WHERE makes concurrent calls cheap no-ops). */
export async function touchApiToken(db: Db, id: string): Promise<void> {
  await db
    .update(apiTokens)
    .set({ lastUsedAt: new Date() })
    .where(
      and(
        eq(apiTokens.id, id),
        or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, new Date(Date.now() - 60_000))),
      ),
    )
}
