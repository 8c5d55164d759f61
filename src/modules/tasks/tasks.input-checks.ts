import { and, asc, eq, inArray, max, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type ProjectRow, projects } from '../../db/tables/projects.ts'
import { tags } from '../../db/tables/tags.ts'
import { tasks } from '../../db/tables/tasks.ts'
import { teamMembers, teams } from '../../db/tables/teams.ts'
import { users } from '../../db/tables/users.ts'
import type { Actor } from '../../http/auth.ts'
import { conflict, forbidden, invalidField } from '../../http/problem.ts'
import { canWriteIn, type TeamRole, teamRoleOf, visibleTo } from '../access/index.ts'
import { INBOX } from '../projects/index.ts'

/*
 * Checks of the ids a task write names. An id the caller cannot see is a 400 naming the field
 * (`body.projectId`): only the resource in the path answers 404. A row the write will point at is
 * locked (FOR KEY SHARE, as the foreign key check would) so a concurrent delete either goes first
 * and the check answers 400, or waits for this write and cascades to what it wrote.
 */

// what a create reads of its project
const CREATE_TARGET = { id: projects.id, teamId: projects.teamId, archived: projects.archived }

/** The caller's Inbox: the `Inbox` project of the personal team they own. */
function inboxOf(tx: Db, actor: Actor) {
  return tx
    .select(CREATE_TARGET)
    .from(projects)
    .innerJoin(teams, and(eq(teams.id, projects.teamId), eq(teams.personal, true)))
    .innerJoin(
      teamMembers,
      and(eq(teamMembers.teamId, teams.id), eq(teamMembers.userId, actor.userId), eq(teamMembers.role, 'owner')),
    )
    .where(eq(projects.name, INBOX))
    .orderBy(asc(projects.createdAt), asc(projects.id))
    .limit(1)
}

/**
 * The project a task is moved into, locked (moves into it take it one at a time). Invisible → 400, a
 * role below member → 403, archived → 409; `teamId` restricts it to one team (moves stay in the team).
 */
export async function projectForWrite(tx: Db, actor: Actor, projectId: string, teamId: string): Promise<ProjectRow> {
  const [project] = await tx
    .select()
    .from(projects)
    .where(and(eq(projects.id, projectId), visibleTo(actor, projects.teamId)))
    .for('no key update')
  if (!project) throw invalidField('body.projectId', 'project not found')
  if (project.teamId !== teamId) throw invalidField('body.projectId', 'must be a project of the same team')
  requireWritable(project, await teamRoleOf(tx, actor, project.teamId))
  return project
}

function requireWritable(project: { archived: boolean }, role: TeamRole | null) {
  if (!canWriteIn(role)) throw forbidden('This needs the member role in the team')
  if (project.archived) throw conflict('The project is archived: unarchive it to add tasks')
}

// advisory lock space of the position lock (the other int is a hash of the project id)
const POSITION_LOCKS = 0x7461736b

/**
 * The project a task is created in (the caller's Inbox when none is named), with the caller's role
 * and the position the task takes, in one statement (issue 20: a create was nine round trips).
 * Invisible → 400, a role below member → 403, archived → 409.
 *
 * The project is held `for share`, so concurrent creates into one project do not wait for one
 * another (the project lock held to commit serialized them); archiving, moves and re-parenting wait
 * for them. The create that holds the project's position lock (a transaction-level advisory lock,
 * tried without waiting, once the project row is locked) takes the integer after the last position;
 * a create that runs at the same time as one holding it takes the same integer plus a fraction that
 * its transaction id makes unique (0.000001…0.999999). The position is an expression the insert
 * evaluates, so it reads the last position in the insert's own snapshot, taken after the lock: lock
 * holders follow each other, positions stay unique and at the end, and every create sees at least
 * the positions committed before it.
 */
export async function projectForCreate(
  tx: Db,
  actor: Actor,
  projectId: string | undefined,
): Promise<{ id: string; teamId: string; position: SQL }> {
  // a subquery, so that its row is locked before the outer select tries the position lock
  const project = projectId
    ? tx
        .select(CREATE_TARGET)
        .from(projects)
        .where(and(eq(projects.id, projectId), visibleTo(actor, projects.teamId)))
        .for('share')
    : inboxOf(tx, actor).for('share', { of: projects })
  const result = (await tx.execute(sql`select p.id, p.team_id, p.archived, m.role,
      pg_try_advisory_xact_lock(${POSITION_LOCKS}, hashtext(p.id::text)) as alone,
      (txid_current() % 999999 + 1)::float8 / 1000000 as fraction
    from (${project}) p left join ${teamMembers} m on m.team_id = p.team_id and m.user_id = ${actor.userId}`)) as unknown as {
    rows: { id: string; team_id: string; archived: boolean; role: TeamRole | null; alone: boolean; fraction: number }[]
  }
  const row = result.rows[0]
  if (!row) {
    throw projectId
      ? invalidField('body.projectId', 'project not found')
      : invalidField('body.projectId', 'required: you have no Inbox project')
  }
  requireWritable(row, row.role)
  const after = sql`(select coalesce(floor(max(position)), 0) + 1 from ${tasks} where project_id = ${row.id})`
  return {
    id: row.id,
    teamId: row.team_id,
    position: row.alone ? after : sql`${after} + ${Number(row.fraction)}::float8`,
  }
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

/**
 * The assignee must be a member of the team, and stays one until this write commits (see
 * unassignInTeam). Resolves to the assignee's name (what the task shape shows).
 */
export async function checkAssignee(tx: Db, teamId: string, userId: string): Promise<string> {
  const [member] = await tx
    .select({ name: users.name })
    .from(teamMembers)
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
    .for('key share', { of: teamMembers })
  if (!member) throw invalidField('body.assigneeId', 'not a member of the task’s team')
  return member.name
}

/**
 * The distinct tag ids, each a tag of the team, and those tags as the task shape shows them (in its
 * order: by name, then id).
 */
export async function checkTags(
  tx: Db,
  teamId: string,
  tagIds: readonly string[],
): Promise<{ ids: string[]; tags: { id: string; name: string; color: string }[] }> {
  const ids = [...new Set(tagIds)]
  if (!ids.length) return { ids, tags: [] }
  const found = await tx
    .select({ id: tags.id, name: tags.name, color: tags.color })
    .from(tags)
    .where(and(eq(tags.teamId, teamId), inArray(tags.id, ids)))
    .orderBy(sql`lower(${tags.name})`, asc(tags.id))
    .for('key share')
  if (found.length !== ids.length) {
    const known = new Set(found.map((t) => t.id))
    throw invalidField('body.tagIds', `not tags of the task’s team: ${ids.filter((id) => !known.has(id)).join(', ')}`)
  }
  return { ids, tags: found }
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
