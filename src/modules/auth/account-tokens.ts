import { and, eq, gt, isNull, lt, ne } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type AccountTokenPurpose, type AccountTokenRow, accountTokens } from '../../db/tables/account-tokens.ts'
import { randomSecret, sha256 } from '../../lib/crypto.ts'
import { newId } from '../../lib/ids.ts'

/** Creates a single-use token for a user and returns its secret (only its hash is stored). */
export async function mintAccountToken(
  db: Db,
  input: { userId: string; purpose: AccountTokenPurpose; ttlSeconds: number; email?: string },
): Promise<string> {
  const secret = randomSecret()
  await db.insert(accountTokens).values({
    id: newId(),
    userId: input.userId,
    purpose: input.purpose,
    tokenHash: sha256(secret),
    email: input.email ?? null,
    expiresAt: new Date(Date.now() + input.ttlSeconds * 1000),
  })
  return secret
}

/**
 * Marks a live token used and returns it, or null when it is unknown, spent, expired or of another
 * purpose. One statement: of two concurrent uses of the same token only one gets it.
 */
export async function consumeAccountToken(
  db: Db,
  purpose: AccountTokenPurpose,
  secret: string,
): Promise<AccountTokenRow | null> {
  const [row] = await db
    .update(accountTokens)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(accountTokens.tokenHash, sha256(secret)),
        eq(accountTokens.purpose, purpose),
        isNull(accountTokens.usedAt),
        gt(accountTokens.expiresAt, new Date()),
      ),
    )
    .returning()
  return row ?? null
}

/** Spends every other live token of a purpose (a reset link used: the older links die with it). */
export async function spendAccountTokens(db: Db, userId: string, purpose: AccountTokenPurpose, except?: string) {
  await db
    .update(accountTokens)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(accountTokens.userId, userId),
        eq(accountTokens.purpose, purpose),
        isNull(accountTokens.usedAt),
        except ? ne(accountTokens.id, except) : undefined,
      ),
    )
}

/** Deletes tokens expired for more than a day. Returns how many. */
export async function sweepAccountTokens(db: Db, now = new Date()): Promise<number> {
  const gone = await db
    .delete(accountTokens)
    .where(lt(accountTokens.expiresAt, new Date(now.getTime() - 24 * 60 * 60_000)))
    .returning({ id: accountTokens.id })
  return gone.length
}
