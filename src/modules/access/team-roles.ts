import { and, eq, inArray, type Placeholder, type SQL, sql } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Db } from '../../db/client.ts'
import { teamMembers } from '../../db/tables/teams.ts'
import type { Actor } from '../../http/auth.ts'
import { forbidden, notFound } from '../../http/problem.ts'

export const TEAM_ROLES = ['owner', 'admin', 'member', 'viewer'] as const
export type TeamRole = (typeof TEAM_ROLES)[number]
const RANK: Record<TeamRole, number> = { viewer: 1, member: 2, admin: 3, owner: 4 }

export const atLeast = (role: TeamRole, min: TeamRole) => RANK[role] >= RANK[min]

/** The caller's role in a team, or null when they are not a member. */
export async function teamRoleOf(db: Db, actor: Actor, teamId: string): Promise<TeamRole | null> {
  const [row] = await db
    .select({ role: teamMembers.role })
    .from(teamMembers)
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, actor.userId)))
  return row?.role ?? null
}

/**
 * The one visibility rule: a user sees the teams they belong to; a global admin sees all.
 * Use it inside every query over team-owned rows: `where(visibleTo(actor, tasks.teamId))`; a prepared
 * statement passes `sql.placeholder('userId')` as the user id.
 */
export function visibleTo(
  actor: Pick<Actor, 'role'> & { userId: string | Placeholder },
  teamIdColumn: AnyPgColumn,
): SQL | undefined {
  if (actor.role === 'admin') return undefined
  return inArray(
    teamIdColumn,
    sql`(select ${teamMembers.teamId} from ${teamMembers} where ${teamMembers.userId} = ${actor.userId})`,
  )
}

/**
 * The one role check for writes (and reads, with min 'viewer'). A team the caller cannot see is
 * a 404 (its existence is not revealed); a visible team with too low a role is a 403. A global
 * admin who is not a member may read (as a viewer) but not write.
 */
export async function requireRole(
  db: Db,
  actor: Actor,
  teamId: string,
  min: TeamRole,
  entity = 'team',
  id = teamId,
): Promise<TeamRole> {
  const role = (await teamRoleOf(db, actor, teamId)) ?? (actor.role === 'admin' ? 'viewer' : null)
  if (!role) throw notFound(entity, id)
  if (!atLeast(role, min)) throw forbidden(`This needs the ${min} role in the team`)
  return role
}
