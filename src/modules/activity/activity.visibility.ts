import { and, eq, exists, inArray, isNull, or, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { activity, activityAudience } from '../../db/tables/activity.ts'
import { teamMembers } from '../../db/tables/teams.ts'
import { users } from '../../db/tables/users.ts'

/**
 * What a user may see of the log, the one rule of the activity list, the change feed and the event
 * stream: their teams' entries (all of them for a global admin), their own entries that belong to no
 * team, and the deletion of a team they were in when it was deleted (activityAudience). Role and
 * memberships are read in the statement itself, not taken from the caller's cached state, so an open
 * stream follows a demotion, a promotion or a membership change with its very next read, whichever
 * instance made the change.
 */
export function visibleEntries(userId: string): SQL {
  return or(
    sql`exists (select 1 from ${users} where ${users.id} = ${userId} and ${users.role} = 'admin')`,
    inArray(
      activity.teamId,
      sql`(select ${teamMembers.teamId} from ${teamMembers} where ${teamMembers.userId} = ${userId})`,
    ),
    and(isNull(activity.teamId), eq(activity.actorId, userId)),
    // the first test is a hashed set of a few team ids, so the range is looked up only for their entries
    and(
      inArray(
        activity.teamId,
        sql`(select ${activityAudience.teamId} from ${activityAudience} where ${activityAudience.userId} = ${userId})`,
      ),
      exists(
        sql`(select 1 from ${activityAudience} a where a.user_id = ${userId} and a.team_id = ${activity.teamId}
          and ${activity.id} between a.from_id and a.through_id)`,
      ),
    ),
  )!
}

/**
 * Keeps the entries a team's deletion has written so far in this transaction, from `fromId` (its
 * `team.deleted`) on, readable by the team's members once they are members no more: call it after
 * the last entry of the delete and before the delete itself, whose cascade takes the memberships.
 */
export async function keepDeletionVisible(tx: Db, teamId: string, fromId: number): Promise<void> {
  await tx.execute(sql`insert into ${activityAudience} (user_id, team_id, from_id, through_id)
    select ${teamMembers.userId}, ${teamId}::uuid, ${fromId}::bigint,
      (select max(${activity.id}) from ${activity} where ${activity.teamId} = ${teamId} and ${activity.id} >= ${fromId})
    from ${teamMembers} where ${teamMembers.teamId} = ${teamId}`)
}

/**
 * Keeps one entry of a team readable by a user who is no longer in it: their own `member.removed`,
 * so that their open streams, change feed and activity list learn that they lost the team.
 */
export async function keepEntryVisible(tx: Db, userId: string, teamId: string, entryId: number): Promise<void> {
  await tx.insert(activityAudience).values({ userId, teamId, fromId: entryId, throughId: entryId })
}
