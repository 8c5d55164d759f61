import type { Db } from '../../db/client.ts'
import type { Actor } from '../../http/auth.ts'
import { invalidField, Problem } from '../../http/problem.ts'
import { requireRole, type TeamRole } from './team-roles.ts'

/**
 * requireRole for a team named in a request body (`{ teamId }`): a team the caller cannot see is a
 * 400 naming the field, since 404 is only for the resource in the path; too low a role stays 403.
 */
export async function requireRoleInBody(
  db: Db,
  actor: Actor,
  teamId: string,
  min: TeamRole,
  path = 'body.teamId',
): Promise<TeamRole> {
  try {
    return await requireRole(db, actor, teamId, min)
  } catch (err) {
    if (err instanceof Problem && err.status === 404) throw invalidField(path, 'no such team')
    throw err
  }
}
