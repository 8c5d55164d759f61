import { and, eq, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type TaskRow, tasks } from '../../db/tables/tasks.ts'
import type { Actor } from '../../http/auth.ts'
import { invalidField, notFound, preconditionFailed } from '../../http/problem.ts'
import { newId } from '../../lib/ids.ts'
import { nextOccurrence, parseRRule } from '../../lib/rrule.ts'
import { requireRole, visibleTo } from '../access/index.ts'
import { created, diff, recordActivities, recordActivity } from '../activity/index.ts'
import { pick, STATUS_FIELDS, stateOf, TRACKED, taskEntry } from './tasks.activity.ts'
import { requireTaskMatch } from './tasks.etag.ts'
import {
  checkAssignee,
  checkParent,
  checkTags,
  lockProject,
  nextPosition,
  projectForCreate,
  projectForWrite,
} from './tasks.input-checks.ts'
import { rankOf, taskById, toTask } from './tasks.queries.ts'
import type { CreateTask, Task, UpdateTask } from './tasks.schema.ts'
import { setTags, tagIdsOf } from './tasks.tags.ts'

type NewTask = Omit<typeof tasks.$inferInsert, 'id'>
// a create's position is an expression of the insert (see projectForCreate)
type TaskValues = Omit<NewTask, 'position'> & { position: number | SQL }

const toDate = (value: string | null | undefined) => (value ? new Date(value) : null)

/** Inserts a task with its tags and records `task.created`, in the caller's transaction. */
async function insertTask(tx: Db, actor: Actor, values: TaskValues, tagIds: string[]): Promise<TaskRow> {
  const [row] = await tx
    .insert(tasks)
    .values({ id: newId(), ...values })
    .returning()
  await setTags(tx, row!.id, tagIds, false)
  const changes = created(stateOf(row!, tagIds), TRACKED)
  if (!tagIds.length) delete changes.tagIds
  await recordActivity(tx, taskEntry(actor, row!, 'task.created', changes))
  return row!
}

export async function createTask(db: Db, actor: Actor, input: CreateTask): Promise<Task> {
  return db.transaction(async (tx) => {
    const project = await projectForCreate(tx, actor, input.projectId)
    const assigneeName = input.assigneeId ? await checkAssignee(tx, project.teamId, input.assigneeId) : null
    const tags = await checkTags(tx, project.teamId, input.tagIds ?? [])
    if (input.parentId) await checkParent(tx, { teamId: project.teamId, projectId: project.id }, input.parentId)
    const status = input.status ?? 'todo'
    const done = status === 'done'
    const now = new Date()
    const row = await insertTask(
      tx,
      actor,
      {
        teamId: project.teamId,
        projectId: project.id,
        parentId: input.parentId ?? null,
        title: input.title,
        description: input.description ?? null,
        status,
        priorityRank: rankOf(input.priority ?? 'medium'),
        dueAt: toDate(input.dueAt),
        remindAt: toDate(input.remindAt),
        assigneeId: input.assigneeId ?? null,
        recurrence: input.recurrence ?? null,
        position: project.position,
        completedAt: done ? now : null,
        completedBy: done ? actor.userId : null,
        createdBy: actor.userId,
        createdAt: now,
        updatedAt: now,
      },
      tags.ids,
    )
    // the task shape from what this transaction read and wrote, not read back: a new task has no
    // subtasks, its tags and assignee name were read (and locked) by the checks above
    return toTask({ ...row, assigneeName, tags: tags.tags, subtaskCount: 0 })
  })
}

/**
 * Applies a JSON Merge Patch to a task (what it does not name stays; null clears). The row is
 * locked and its version checked against `If-Match`; each kind of change is its own activity
 * entry (`task.moved`, `task.status_changed`, `task.updated`) in the same transaction, and
 * completing a recurring task creates its next occurrence there too.
 */
export async function updateTask(
  db: Db,
  actor: Actor,
  id: string,
  input: UpdateTask,
  /** the If-Match ETag (see requireTaskMatch) */
  expected?: string,
): Promise<Task> {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(tasks)
      .where(and(eq(tasks.id, id), visibleTo(actor, tasks.teamId)))
      .for('no key update')
    if (!before) throw notFound('task', id)
    await requireRole(tx, actor, before.teamId, 'member', 'task', id)
    await requireTaskMatch(tx, id, before.version, expected)
    const now = new Date()
    const next: Partial<NewTask> = {}

    let projectId = before.projectId
    // the rule the task has once this patch applies: one that sets it and completes the task spawns too
    const recurrence = input.recurrence !== undefined ? input.recurrence : before.recurrence
    if (input.projectId !== undefined && input.projectId !== before.projectId) {
      // both projects' structure changes: lock them in id order so opposite moves cannot deadlock
      if (before.projectId < input.projectId) await lockProject(tx, before.projectId)
      projectId = (await projectForWrite(tx, actor, input.projectId, before.teamId)).id
      if (before.projectId > input.projectId) await lockProject(tx, before.projectId)
      if (input.parentId === undefined && before.parentId) {
        throw invalidField('body.parentId', 'a subtask moves with its parent: set parentId to null or to a task there')
      }
      next.projectId = projectId
      next.position = input.position ?? (await nextPosition(tx, projectId))
    } else if (input.parentId || (input.status === 'done' && before.status !== 'done' && recurrence)) {
      // a completion that inserts the next occurrence takes the project lock before the update, as
      // creates do: the update's counter rows (task_counters) are then never held while waiting for it
      await lockProject(tx, projectId)
    }
    if (input.parentId !== undefined) {
      if (input.parentId) await checkParent(tx, { teamId: before.teamId, projectId }, input.parentId, id)
      next.parentId = input.parentId
    }
    // an unchanged assignee is not checked: waiting on the membership lock of a member being removed,
    // while holding this task that the removal is about to unassign, would deadlock
    if (input.assigneeId && input.assigneeId !== before.assigneeId) {
      await checkAssignee(tx, before.teamId, input.assigneeId)
    }
    if (input.assigneeId !== undefined) next.assigneeId = input.assigneeId
    if (input.title !== undefined) next.title = input.title
    if (input.description !== undefined) next.description = input.description
    if (input.priority !== undefined) next.priorityRank = rankOf(input.priority)
    if (input.dueAt !== undefined) next.dueAt = toDate(input.dueAt)
    if (input.remindAt !== undefined) next.remindAt = toDate(input.remindAt)
    if (input.position !== undefined) next.position = input.position
    if (input.recurrence !== undefined) next.recurrence = input.recurrence
    if (input.status !== undefined && input.status !== before.status) {
      const done = input.status === 'done'
      Object.assign(next, {
        status: input.status,
        completedAt: done ? now : null,
        completedBy: done ? actor.userId : null,
      })
    }
    const beforeTags = await tagIdsOf(tx, id)
    const tagIds =
      input.tagIds !== undefined ? (await checkTags(tx, before.teamId, input.tagIds ?? [])).ids : beforeTags

    const changes = diff(stateOf(before, beforeTags), stateOf({ ...before, ...next } as TaskRow, tagIds), TRACKED)
    // nothing changed: no new version, no activity
    if (!Object.keys(changes).length) return taskById(tx, id)
    const [after] = await tx
      .update(tasks)
      .set({ ...next, updatedAt: now, version: sql`${tasks.version} + 1` })
      .where(and(eq(tasks.id, id), eq(tasks.version, before.version)))
      .returning()
    if (!after) throw preconditionFailed()
    if (changes.tagIds) await setTags(tx, id, tagIds, true)

    if (changes.projectId) {
      await recordActivity(tx, taskEntry(actor, after, 'task.moved', { projectId: changes.projectId }))
      await moveSubtasks(tx, actor, after, before.projectId, now)
    }
    const status = pick(changes, STATUS_FIELDS, true)
    if (status.status) await recordActivity(tx, taskEntry(actor, after, 'task.status_changed', status))
    const rest = pick(changes, [...STATUS_FIELDS, 'projectId'], false)
    if (Object.keys(rest).length) await recordActivity(tx, taskEntry(actor, after, 'task.updated', rest))

    if (status.status && after.status === 'done' && after.recurrence) {
      await createNextOccurrence(tx, actor, after, tagIds, now)
    }
    return taskById(tx, id)
  })
}

/** A moved task takes its subtasks along (a subtask always lives in its parent's project), each with its `task.moved`. */
async function moveSubtasks(tx: Db, actor: Actor, task: TaskRow, from: string, now: Date): Promise<void> {
  const changes = JSON.stringify({ projectId: { from, to: task.projectId } })
  await recordActivities(
    tx,
    sql`subtree(id) as (
      select id from tasks where parent_id = ${task.id}
      union
      select t.id from tasks t join subtree s on t.parent_id = s.id
    ), moved as (
      update tasks set project_id = ${task.projectId}, updated_at = ${now.toISOString()}::timestamptz,
        version = version + 1
      where id in (select id from subtree)
      returning id
    )`,
    sql`select ${actor.userId}::uuid, 'task.moved', 'task', id, ${task.teamId}::uuid, ${task.projectId}::uuid, id,
      ${changes}::jsonb from moved order by id`,
  )
}

/**
 * The next occurrence of a completed recurring task: the same fields, status todo, due at the first
 * occurrence of its rule after the previous dueAt that lies in the future (after the completion when
 * it had no dueAt), its reminder shifted by as much. Only once: a task reopened and completed again
 * keeps the occurrence it already spawned (checked under the completed task's row lock; the unique
 * index on previous_occurrence_id holds it even so). None while the project is archived.
 */
async function createNextOccurrence(tx: Db, actor: Actor, done: TaskRow, tagIds: string[], now: Date) {
  const [spawned] = await tx.select({ id: tasks.id }).from(tasks).where(eq(tasks.previousOccurrenceId, done.id))
  if (spawned) return
  const anchor = done.dueAt ?? now
  const dueAt = nextOccurrence(parseRRule(done.recurrence!), anchor, now)
  if (!dueAt) return
  const shift = dueAt.getTime() - anchor.getTime()
  // no new task in an archived project, not even this one: the series resumes when, once the
  // project is unarchived, its last task is completed again (none was spawned, so that spawns it)
  if ((await lockProject(tx, done.projectId)).archived) return
  await insertTask(
    tx,
    actor,
    {
      teamId: done.teamId,
      projectId: done.projectId,
      parentId: done.parentId,
      title: done.title,
      description: done.description,
      status: 'todo',
      priorityRank: done.priorityRank,
      dueAt,
      remindAt: done.remindAt && new Date(done.remindAt.getTime() + shift),
      assigneeId: done.assigneeId,
      recurrence: done.recurrence,
      previousOccurrenceId: done.id,
      position: await nextPosition(tx, done.projectId),
      createdBy: actor.userId,
      createdAt: now,
      updatedAt: now,
    },
    tagIds,
  )
}
