import { eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { users } from '../../db/tables/users.ts'
import { Problem } from '../../http/problem.ts'
import { randomSecret } from '../../lib/crypto.ts'
import type { UserCreatedHook } from '../auth/index.ts'
import { hashPassword } from '../auth/index.ts'
import { findUserByEmail, insertUser } from '../users/index.ts'

export type SeedResult =
  | { outcome: 'created'; userId: string; generatedPassword?: string }
  | {
      outcome: 'exists'
      userId: string
      /** made an admin: the user existed with the `user` role */
      promoted?: true
      /** was disabled and is enabled again (only with `reenable`) */
      reenabled?: true
      /** is disabled and stays so (without `reenable`) */
      disabled?: true
    }

/**
 * Makes sure an administrator with this email exists (idempotent): creates it with the given
 * password, or a generated one the caller prints once; promotes an existing user of that email.
 * A disabled one is enabled again only with `reenable` (the `seed` command, run by an operator to
 * recover an admin account); `serve` leaves an admin another admin disabled as it is.
 */
export async function ensureAdmin(
  db: Db,
  input: { email: string; password?: string; reenable?: boolean },
  onUserCreated?: UserCreatedHook,
): Promise<SeedResult> {
  const email = input.email.trim().toLowerCase()
  const reenable = input.reenable ?? false
  const existing = await updateExisting(db, email, reenable)
  if (existing) return existing
  const generatedPassword = input.password ? undefined : randomSecret(18)
  const passwordHash = await hashPassword(input.password ?? generatedPassword!)
  try {
    const user = await db.transaction(async (tx) => {
      const row = await insertUser(tx, {
        email,
        name: 'Administrator',
        passwordHash,
        role: 'admin',
        emailVerified: true,
      })
      await onUserCreated?.(tx, row)
      return row
    })
    return { outcome: 'created', userId: user.id, ...(generatedPassword ? { generatedPassword } : {}) }
  } catch (err) {
    // two instances starting together both seed: the one that lost finds the other's admin
    if (!(err instanceof Problem && err.status === 409)) throw err
    const winner = await updateExisting(db, email, reenable)
    if (!winner) throw err
    return winner
  }
}

async function updateExisting(db: Db, email: string, reenable: boolean): Promise<SeedResult | undefined> {
  const existing = await findUserByEmail(db, email)
  if (!existing) return undefined
  const promoted = existing.role !== 'admin'
  const reenabled = existing.disabled && reenable
  if (promoted || reenabled) {
    await db
      .update(users)
      .set({
        role: 'admin',
        ...(reenabled ? { disabled: false } : {}),
        updatedAt: new Date(),
        version: sql`${users.version} + 1`,
      })
      .where(eq(users.id, existing.id))
  }
  return {
    outcome: 'exists',
    userId: existing.id,
    ...(promoted ? { promoted: true } : {}),
    ...(reenabled ? { reenabled: true } : existing.disabled ? { disabled: true } : {}),
  }
}
