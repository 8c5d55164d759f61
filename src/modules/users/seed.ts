import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
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
  const existing = await findUserByEmail(db, email)
  if (existing) {
    if (existing.role === 'admin') return { outcome: 'exists', userId: existing.id }
    await db.update(users).set({ role: 'admin', updatedAt: new Date() }).where(eq(users.id, existing.id))
    return { outcome: 'promoted', userId: existing.id }
  }
  const generatedPassword = input.password ? undefined : randomSecret(18)
  const passwordHash = await hashPassword(input.password ?? generatedPassword!)
  const user = await db.transaction(async (tx) => {
    const row = await insertUser(tx, { email, name: 'Administrator', passwordHash, role: 'admin' })
    await onUserCreated?.(tx, row)
    return row
  })
  return { outcome: 'created', userId: user.id, ...(generatedPassword ? { generatedPassword } : {}) }
}
