import type { Db } from '../../db/client.ts'
import { projects } from '../../db/tables/projects.ts'
import { teamMembers, teams } from '../../db/tables/teams.ts'
import type { UserRow } from '../../db/tables/users.ts'
import { newId } from '../../lib/ids.ts'
import { recordActivity } from '../activity/index.ts'
import { INBOX } from '../projects/index.ts'

/**
 * Every new user gets a personal team they own, with an Inbox project where tasks created without
 * a projectId land. Runs in the transaction that creates the user.
 */
export async function createPersonalTeam(tx: Db, user: UserRow): Promise<void> {
  const teamId = newId()
  const projectId = newId()
  await tx.insert(teams).values({ id: teamId, name: `${user.name}'s team`, personal: true })
  await tx.insert(teamMembers).values({ teamId, userId: user.id, role: 'owner' })
  await tx.insert(projects).values({ id: projectId, teamId, name: INBOX })
  await recordActivity(tx, {
    actorId: user.id,
    action: 'team.created',
    entityType: 'team',
    entityId: teamId,
    teamId,
    changes: { name: { from: null, to: `${user.name}'s team` }, personal: { from: null, to: true } },
  })
  await recordActivity(tx, {
    actorId: user.id,
    action: 'project.created',
    entityType: 'project',
    entityId: projectId,
    teamId,
    projectId,
    changes: { name: { from: null, to: INBOX } },
  })
}
