import { and, asc, eq, inArray, max, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type ProjectRow, projects } from '../../db/tables/projects.ts'
import { tags } from '../../db/tables/tags.ts'
import { tasks } from '../../db/tables/tasks.ts'
import { teamMembers, teams } from '../../db/tables/teams.ts'
import type { Actor } from '../../http/auth.ts'
import { conflict, forbidden, invalidField } from '../../http/problem.ts'
import { canWriteIn, teamRoleOf, visibleTo } from '../access/index.ts'
import { INBOX } from '../projects/index.ts'

/*
 * Checks of the ids a task write names. An id the caller cannot see is a 400 naming the field
 * (`body.projectId`): only the resource in the path answers 404. A row the write will point at is
 * locked (FOR KEY SHARE, as the foreign key check would) so a concurrent delete either goes first
 * and the check answers 400, or waits for this write and cascades to what it wrote.
 */

/**
 * How a write holds the project it writes into: `share` for creates (any number at once; archiving,
 * moves and re-parenting wait for them), `no key update` for the writes that change its structure.
 */
type ProjectLock = 'share' | 'no key update'

/** The caller's Inbox: the `Inbox` project of the personal team they own. */
async function inboxOf(tx: Db, actor: Actor, lock: ProjectLock): Promise<ProjectRow | undefined> {
  const [row] = await tx
    .select({ project: projects })
    .from(projects)
    .innerJoin(teams, and(eq(teams.id, projects.teamId), eq(teams.personal, true)))
    .innerJoin(
      teamMembers,
      and(eq(teamMembers.teamId, teams.id), eq(teamMembers.userId, actor.userId), eq(teamMembers.role, 'owner')),
    )
    .where(eq(projects.name, INBOX))
    .orderBy(asc(projects.createdAt), asc(projects.id))
    .limit(1)
    .for(lock, { of: projects })
  return row?.project
}

/**
 * The project a task is written into (the caller's Inbox when none is named), locked: creates share
 * it (see createPosition), moves into it take it one at a time. Invisible → 400, a role below
 * member → 403, archived → 409; `teamId` restricts it to one team (moves stay in the team).
 */
export async function projectForWrite(
  tx: Db,
  actor: Actor,
  projectId: string | undefined,
  teamId?: string,
  lock: ProjectLock = 'no key update',
): Promise<ProjectRow> {
  const project = projectId
    ? (
        await tx
          .select()
          .from(projects)
          .where(and(eq(projects.id, projectId), visibleTo(actor, projects.teamId)))
          .for(lock)
      )[0]
    : await inboxOf(tx, actor, lock)
  if (!project) {
    throw projectId
      ? invalidField('body.projectId', 'project not found')
      : invalidField('body.projectId', 'required: you have no Inbox project')
  }
  if (teamId && project.teamId !== teamId) throw invalidField('body.projectId', 'must be a project of the same team')
  const role = await teamRoleOf(tx, actor, project.teamId)
  if (!canWriteIn(role)) throw forbidden('This needs the member role in the team')
  if (project.archived) throw conflict('The project is archived: unarchive it to add tasks')
  return project
}

/**
 * Locks a project row: moves and re-parenting in one project happen one at a time (no cycles).
 * Returns whether it is archived, which holds until the transaction ends (archiving waits for the lock).
 */
export async function lockProject(tx: Db, projectId: string): Promise<{ archived: boolean }> {
  const [row] = await tx
    .select({ archived: projects.archived })
    .from(projects)
    .where(eq(projects.id, projectId))
    .for('no key update')
  return { archived: row?.archived ?? false }
}

/** The position after the last task of the project; call with the project row locked (no key update). */
export async function nextPosition(tx: Db, projectId: string): Promise<number> {
  const [row] = await tx
    .select({ last: max(tasks.position) })
    .from(tasks)
    .where(eq(tasks.projectId, projectId))
  return Math.floor(row?.last ?? 0) + 1
}

// advisory lock space of createPosition (the other int is a hash of the project id)
const POSITION_LOCKS = 0x7461736b

/**
 * The position of a task created in a project that the transaction holds `for share` only, so that
 * concurrent creates into one project do not wait for one another (the project lock held to commit
 * serialized them; issue 20). The create that holds the project's position lock (a transaction-level
 * advisory lock, tried without waiting) takes the integer after the last position, as before; a
 * create that runs at the same time as one holding it takes the same integer plus a fraction that
 * its transaction id makes unique (0.000001…0.999999). So positions stay unique and at the end:
 * lock holders follow each other, and every create sees at least the positions committed before it.
 */
export async function createPosition(tx: Db, projectId: string): Promise<number> {
  const result = (await tx.execute(
    sql`select pg_try_advisory_xact_lock(${POSITION_LOCKS}, hashtext(${projectId})) as alone,
               (txid_current() % 999999 + 1)::float8 / 1000000 as fraction`,
  )) as unknown as { rows: { alone: boolean; fraction: number }[] }
  const { alone, fraction } = result.rows[0]!
  // a statement of its own: its snapshot sees what the previous holder of the lock committed
  const next = await nextPosition(tx, projectId)
  return alone ? next : next + Number(fraction)
}

/** The assignee must be a member of the team, and stays one until this write commits (see unassignInTeam). */
export async function checkAssignee(tx: Db, teamId: string, userId: string): Promise<void> {
  const [member] = await tx
    .select({ userId: teamMembers.userId })
    .from(teamMembers)
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
    .for('key share')
  if (!member) throw invalidField('body.assigneeId', 'not a member of the task’s team')
}

/** The distinct tag ids, each a tag of the team. */
export async function checkTags(tx: Db, teamId: string, tagIds: readonly string[]): Promise<string[]> {
  const ids = [...new Set(tagIds)]
  if (!ids.length) return ids
  const found = await tx
    .select({ id: tags.id })
    .from(tags)
    .where(and(eq(tags.teamId, teamId), inArray(tags.id, ids)))
    .for('key share')
  if (found.length !== ids.length) {
    const known = new Set(found.map((t) => t.id))
    throw invalidField('body.tagIds', `not tags of the task’s team: ${ids.filter((id) => !known.has(id)).join(', ')}`)
  }
  return ids
}

/**
 * A parent must be a task of the same project and, for an existing task, neither the task itself
 * nor one of its descendants (its ancestors are walked up from the new parent).
 */
export async function checkParent(
  tx: Db,
  target: { teamId: string; projectId: string },
  parentId: string,
  taskId?: string,
): Promise<void> {
  const [parent] = await tx
    .select({ projectId: tasks.projectId })
    .from(tasks)
    .where(and(eq(tasks.id, parentId), eq(tasks.teamId, target.teamId)))
    .for('key share')
  // a task of another team is as unknown as a missing one
  if (!parent) throw invalidField('body.parentId', 'task not found')
  if (parent.projectId !== target.projectId) throw invalidField('body.parentId', 'must be a task of the same project')
  if (!taskId) return
  if (parentId === taskId) throw invalidField('body.parentId', 'a task cannot be its own parent')
  const cycle = await tx.execute(sql`
    with recursive ancestors(id, parent_id) as (
      select ${tasks.id}, ${tasks.parentId} from ${tasks} where ${tasks.id} = ${parentId}
      union
      select t.id, t.parent_id from ${tasks} t join ancestors a on t.id = a.parent_id
    )
    select 1 from ancestors where id = ${taskId}`)
  if ((cycle as unknown as { rows: unknown[] }).rows.length) {
    throw invalidField('body.parentId', 'would make a cycle: that task is a subtask of this one')
  }
}
