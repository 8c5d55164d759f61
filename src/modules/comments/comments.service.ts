import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type CommentRow, comments } from '../../db/tables/comments.ts'
import { tasks } from '../../db/tables/tasks.ts'
import { users } from '../../db/tables/users.ts'
import type { Actor } from '../../http/auth.ts'
import { page } from '../../http/cursor.ts'
import { decodeAfter } from '../../http/keyset.ts'
import { forbidden, notFound, preconditionFailed } from '../../http/problem.ts'
import { newId } from '../../lib/ids.ts'
import { iso } from '../../lib/time.ts'
import { canDeleteComment, canEditComment, requireRole, teamRoleOf, visibleTo } from '../access/index.ts'
import type { Action } from '../activity/index.ts'
import { diff, recordActivity } from '../activity/index.ts'
import { taskRef } from '../tasks/index.ts'
import type { Comment, UpdateComment } from './comments.schema.ts'

const selectComments = (db: Db) =>
  db
    .select({ comment: comments, authorName: users.name })
    .from(comments)
    .leftJoin(users, eq(users.id, comments.authorId))
    .$dynamic()

const toComment = ({ comment: c, authorName }: { comment: CommentRow; authorName: string | null }): Comment => ({
  id: c.id,
  taskId: c.taskId,
  authorId: c.authorId,
  author: c.authorId && authorName !== null ? { id: c.authorId, name: authorName } : null,
  body: c.body,
  createdAt: iso(c.createdAt),
  updatedAt: iso(c.updatedAt),
  version: c.version,
})

const entry = (actor: Actor, c: CommentRow, projectId: string, action: Action) => ({
  actorId: actor.userId,
  action,
  entityType: 'comment' as const,
  entityId: c.id,
  teamId: c.teamId,
  projectId,
  taskId: c.taskId,
})

/** A task's comments, oldest first, one keyset page on (createdAt, id). */
export async function listComments(db: Db, actor: Actor, taskId: string, query: { limit: number; cursor?: string }) {
  await taskRef(db, actor, taskId)
  const after = decodeAfter(query.cursor, ['timestamptz', 'uuid'])
  const rows = await selectComments(db)
    .where(
      and(
        eq(comments.taskId, taskId),
        after
          ? sql`(${comments.createdAt}, ${comments.id}) > (${after[0]}::timestamptz, ${after[1]}::uuid)`
          : undefined,
      ),
    )
    .orderBy(asc(comments.createdAt), asc(comments.id))
    .limit(query.limit + 1)
  const result = page(rows, query.limit, (r) => [r.comment.createdAt.toISOString(), r.comment.id])
  return { items: result.items.map(toComment), nextCursor: result.nextCursor }
}

export async function createComment(db: Db, actor: Actor, taskId: string, body: string): Promise<Comment> {
  return db.transaction(async (tx) => {
    const task = await taskRef(tx, actor, taskId, { lock: true })
    await requireRole(tx, actor, task.teamId, 'member', 'task', taskId)
    const [row] = await tx
      .insert(comments)
      .values({ id: newId(), taskId, teamId: task.teamId, authorId: actor.userId, body })
      .returning()
    await recordActivity(tx, {
      ...entry(actor, row!, task.projectId, 'comment.created'),
      changes: { body: { from: null, to: body } },
    })
    return commentById(tx, row!.id)
  })
}

async function commentById(db: Db, id: string): Promise<Comment> {
  const [row] = await selectComments(db).where(eq(comments.id, id))
  return toComment(row!)
}

export async function getComment(db: Db, actor: Actor, id: string): Promise<Comment> {
  const [row] = await selectComments(db).where(and(eq(comments.id, id), visibleTo(actor, comments.teamId)))
  if (!row) throw notFound('comment', id)
  return toComment(row)
}

/** The comment, locked, with its task's project and the caller's role in the team (404 when invisible). */
async function lockComment(tx: Db, actor: Actor, id: string, expected: number | undefined) {
  const [found] = await tx
    .select({ comment: comments, projectId: tasks.projectId })
    .from(comments)
    .innerJoin(tasks, eq(tasks.id, comments.taskId))
    .where(and(eq(comments.id, id), visibleTo(actor, comments.teamId)))
    .for('update', { of: comments })
  if (!found) throw notFound('comment', id)
  const role = (await teamRoleOf(tx, actor, found.comment.teamId)) ?? 'viewer'
  const check = () => {
    if (expected !== undefined && expected !== found.comment.version) throw preconditionFailed()
  }
  return { ...found, role, check }
}

/** Only its author (still allowed to write in the team) edits a comment. */
export async function updateComment(
  db: Db,
  actor: Actor,
  id: string,
  input: UpdateComment,
  expected?: number,
): Promise<Comment> {
  return db.transaction(async (tx) => {
    const { comment: before, projectId, role, check } = await lockComment(tx, actor, id, expected)
    if (!canEditComment(actor, role, before)) throw forbidden('Only its author can edit a comment')
    check()
    if (input.body === undefined || input.body === before.body) return commentById(tx, id)
    const [after] = await tx
      .update(comments)
      .set({ body: input.body, updatedAt: new Date(), version: sql`${comments.version} + 1` })
      .where(and(eq(comments.id, id), eq(comments.version, before.version)))
      .returning()
    if (!after) throw preconditionFailed()
    await recordActivity(tx, {
      ...entry(actor, after, projectId, 'comment.updated'),
      changes: diff(before, after, ['body']),
    })
    return commentById(tx, id)
  })
}

/** Its author (still a member) or a team admin deletes a comment. */
export async function deleteComment(db: Db, actor: Actor, id: string, expected?: number): Promise<void> {
  await db.transaction(async (tx) => {
    const { comment, projectId, role, check } = await lockComment(tx, actor, id, expected)
    if (!canDeleteComment(actor, role, comment)) throw forbidden('Only its author or a team admin can delete a comment')
    check()
    await tx.delete(comments).where(eq(comments.id, id))
    await recordActivity(tx, {
      ...entry(actor, comment, projectId, 'comment.deleted'),
      changes: { body: { from: comment.body, to: null } },
    })
  })
}
