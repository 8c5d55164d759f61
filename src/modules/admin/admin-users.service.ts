import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { users } from '../../db/tables/users.ts'
import { conflict, notFound } from '../../http/problem.ts'
import type { UserStates } from '../auth/index.ts'
import { revokeAllSessions } from '../auth/index.ts'
import { toUser } from '../users/index.ts'

/**
 * Changes a user's global role or disabled flag. The active admins are locked first, so two
 * admins demoting each other concurrently cannot leave none. Disabling signs the user out everywhere.
 */
export async function updateUserAsAdmin(
  db: Db,
  states: UserStates,
  id: string,
  input: { role?: 'user' | 'admin'; disabled?: boolean },
) {
  const row = await db.transaction(async (tx) => {
    const admins = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.role, 'admin'), eq(users.disabled, false)))
      .for('update')
    const [target] = await tx.select().from(users).where(eq(users.id, id)).for('update')
    if (!target) throw notFound('user', id)
    const losesAdmin = target.role === 'admin' && !target.disabled && (input.role === 'user' || input.disabled === true)
    if (losesAdmin && admins.length <= 1) throw conflict('The last administrator cannot be demoted or disabled')
    const [updated] = await tx
      .update(users)
      .set({
        ...(input.role !== undefined ? { role: input.role } : {}),
        ...(input.disabled !== undefined ? { disabled: input.disabled } : {}),
        updatedAt: new Date(),
        version: sql`${users.version} + 1`,
      })
      .where(eq(users.id, id))
      .returning()
    if (input.disabled) await revokeAllSessions(tx, states, id)
    return updated!
  })
  states.invalidate(id)
  return { ...toUser(row), disabled: row.disabled }
}
