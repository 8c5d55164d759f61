import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { Problem } from '../../http/problem.ts'
import { randomSecret } from '../../lib/crypto.ts'
import type { UserCreatedHook } from '../auth/identity.ts'
import { hashPassword } from '../auth/passwords.ts'
import { findUserByEmail, insertUser } from './users.service.ts'
import { users } from './users.table.ts'

export type SeedResult =
  | { outcome: 'created'; userId: string; generatedPassword?: string }
  | { outcome: 'promoted' | 'exists'; userId: string }

/**
 * Makes sure an administrator with this email exists (idempotent): creates it with the given
 * password, or a generated one the caller prints once; promotes an existing user of that email.
 */
export async function ensureAdmin(
  db: Db,
  input: { email: string; password?: string },
  onUserCreated?: UserCreatedHook,
): Promise<SeedResult> {
  const email = input.email.trim().toLowerCase()
  const existing = await promoteExisting(db, email)
  if (existing) return existing
  const generatedPassword = input.password ? undefined : randomSecret(18)
  const passwordHash = await hashPassword(input.password ?? generatedPassword!)
  try {
    const user = await db.transaction(async (tx) => {
      const row = await insertUser(tx, { email, name: 'Administrator', passwordHash, role: 'admin' })
      await onUserCreated?.(tx, row)
      return row
    })
    return { outcome: 'created', userId: user.id, ...(generatedPassword ? { generatedPassword } : {}) }
  } catch (err) {
    // two instances starting together both seed: the one that lost finds the other's admin
    if (!(err instanceof Problem && err.status === 409)) throw err
    const winner = await promoteExisting(db, email)
    if (!winner) throw err
    return winner
  }
}

async function promoteExisting(db: Db, email: string): Promise<SeedResult | undefined> {
  const existing = await findUserByEmail(db, email)
  if (!existing) return undefined
  if (existing.role === 'admin') return { outcome: 'exists', userId: existing.id }
  await db.update(users).set({ role: 'admin', updatedAt: new Date() }).where(eq(users.id, existing.id))
  return { outcome: 'promoted', userId: existing.id }
}
