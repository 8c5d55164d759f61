import { and, asc, eq, getTableColumns, type SQL, sql } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import type { Db } from '../../db/client.ts'
import { type AttachmentRow, attachments } from '../../db/tables/attachments.ts'
import { tasks } from '../../db/tables/tasks.ts'
import type { Actor } from '../../http/auth.ts'
import { page } from '../../http/cursor.ts'
import { decodeAfter } from '../../http/keyset.ts'
import { forbidden, notFound, preconditionFailed } from '../../http/problem.ts'
import type { Queue } from '../../infra/queue.ts'
import type { Storage } from '../../infra/storage.ts'
import { newId } from '../../lib/ids.ts'
import { iso } from '../../lib/time.ts'
import { canManageAttachment, requireRole, visibleTo } from '../access/index.ts'
import { created, diff, recordActivity } from '../activity/index.ts'
import { DELETE_OBJECT_JOB, nameStoredFile, type StoredFile } from '../files/index.ts'
import { taskRef } from '../tasks/index.ts'
import type { Attachment } from './attachments.schema.ts'

export const EXTRACT_JOB = 'attachments.extract'
export const isPdf = (contentType: string) => contentType === 'application/pdf'

export interface FilesDeps {
  db: Db
  storage: Storage
  queue: Queue
  log: FastifyBaseLogger
}

type Located = AttachmentRow & { projectId: string }

const toAttachment = (row: AttachmentRow): Attachment => ({
  id: row.id,
  taskId: row.taskId,
  filename: row.filename,
  contentType: row.contentType,
  size: row.size,
  sha256: row.sha256,
  uploadedBy: row.uploadedBy,
  extraction: { status: row.extractionStatus, error: row.extractionError },
  createdAt: iso(row.createdAt),
  updatedAt: iso(row.updatedAt),
  version: row.version,
})

/** A task the caller may attach files to: a member of its team (`lock`: see taskRef). */
export async function taskForUpload(db: Db, actor: Actor, taskId: string, opts: { lock?: boolean } = {}) {
  const task = await taskRef(db, actor, taskId, opts)
  await requireRole(db, actor, task.teamId, 'member', 'task', taskId)
  return task
}

async function visibleAttachment(db: Db, actor: Actor, id: string, lock = false): Promise<Located> {
  const q = db
    .select({ ...getTableColumns(attachments), projectId: tasks.projectId })
    .from(attachments)
    .innerJoin(tasks, eq(tasks.id, attachments.taskId))
    .where(and(eq(attachments.id, id), visibleTo(actor, attachments.teamId)))
  const [row] = lock ? await q.for('update', { of: attachments }) : await q
  if (!row) throw notFound('attachment', id)
  return row
}

/** Replacing or deleting a file: its uploader (still a member) or a team admin. */
async function requireManage(db: Db, actor: Actor, row: Located, expected?: number) {
  const role = await requireRole(db, actor, row.teamId, 'member', 'attachment', row.id)
  if (!canManageAttachment(actor, role, row)) {
    throw forbidden('Only the uploader or a team admin can change or delete this file')
  }
  if (expected !== undefined && expected !== row.version) throw preconditionFailed()
}

const activityOf = (row: Located) => ({
  entityType: 'attachment' as const,
  entityId: row.id,
  teamId: row.teamId,
  projectId: row.projectId,
  taskId: row.taskId,
})

/** Keeps `tasks.attachment_text` (searched by `GET /tasks?q=`) equal to its attachments' extracted text. */
export async function refreshTaskText(tx: Db, taskId: string): Promise<void> {
  await tx.execute(sql`
    update ${tasks} set attachment_text = coalesce((
      select left(string_agg(${attachments.extractedText}, E'\n' order by ${attachments.createdAt}, ${attachments.id}), 200000)
      from ${attachments}
      where ${attachments.taskId} = ${taskId} and ${attachments.extractionStatus} = 'done'
    ), '')
    where ${tasks.id} = ${taskId}`)
}

export async function listAttachments(
  db: Db,
  actor: Actor,
  taskId: string,
  query: { limit: number; cursor?: string },
): Promise<{ items: Attachment[]; nextCursor: string | null }> {
  await taskRef(db, actor, taskId)
  const after = decodeAfter(query.cursor, ['timestamptz', 'uuid'])
  const where: (SQL | undefined)[] = [
    eq(attachments.taskId, taskId),
    visibleTo(actor, attachments.teamId),
    after
      ? sql`(${attachments.createdAt}, ${attachments.id}) > (${after[0]}::timestamptz, ${after[1]}::uuid)`
      : undefined,
  ]
  const rows = await db
    .select()
    .from(attachments)
    .where(and(...where))
    .orderBy(asc(attachments.createdAt), asc(attachments.id))
    .limit(query.limit + 1)
  const result = page(rows, query.limit, (r) => [iso(r.createdAt), r.id])
  return { items: result.items.map(toAttachment), nextCursor: result.nextCursor }
}

export async function getAttachment(db: Db, actor: Actor, id: string): Promise<Attachment> {
  return toAttachment(await visibleAttachment(db, actor, id))
}

/** Where an attachment's bytes are, for a caller who can see it. */
export async function attachmentContent(db: Db, actor: Actor, id: string) {
  const row = await visibleAttachment(db, actor, id)
  return { key: row.storageKey, filename: row.filename, contentType: row.contentType, size: row.size }
}

export async function attachmentText(db: Db, actor: Actor, id: string) {
  const row = await visibleAttachment(db, actor, id)
  return {
    id: row.id,
    extraction: { status: row.extractionStatus, error: row.extractionError },
    text: row.extractionStatus === 'done' ? (row.extractedText ?? '') : null,
  }
}

/** Checks, before any byte is read, that the caller may replace this attachment's file. */
export async function attachmentForReplace(db: Db, actor: Actor, id: string, expected?: number) {
  await requireManage(db, actor, await visibleAttachment(db, actor, id), expected)
}

const extractionFor = (contentType: string) => (isPdf(contentType) ? ('queued' as const) : ('skipped' as const))

const enqueueExtraction = (queue: Queue, tx: Db, row: AttachmentRow) =>
  isPdf(row.contentType)
    ? queue.send(EXTRACT_JOB, { attachmentId: row.id, storageKey: row.storageKey }, { tx })
    : Promise.resolve(null)

/** Names a stored file as a new attachment of the task (the object is deleted again if this fails). */
export async function createAttachment(
  deps: FilesDeps,
  actor: Actor,
  taskId: string,
  file: StoredFile,
): Promise<Attachment> {
  return nameStoredFile(deps.storage, file, deps.log, () =>
    deps.db.transaction(async (tx) => {
      // the task may have gone (or the caller's role) while the bytes were uploading
      const task = await taskForUpload(tx, actor, taskId, { lock: true })
      const [row] = await tx
        .insert(attachments)
        .values({
          id: newId(),
          taskId: task.id,
          teamId: task.teamId,
          filename: file.filename,
          contentType: file.contentType,
          size: file.size,
          sha256: file.sha256,
          storageKey: file.key,
          uploadedBy: actor.userId,
          extractionStatus: extractionFor(file.contentType),
        })
        .returning()
      await enqueueExtraction(deps.queue, tx, row!)
      await recordActivity(tx, {
        actorId: actor.userId,
        action: 'attachment.created',
        ...activityOf({ ...row!, projectId: task.projectId }),
        changes: created(row!, ['filename', 'contentType', 'size', 'sha256']),
      })
      return toAttachment(row!)
    }),
  )
}

/** Points the attachment at a newly stored file; the old object is removed by a job once this commits. */
export async function replaceAttachmentContent(
  deps: FilesDeps,
  actor: Actor,
  id: string,
  file: StoredFile,
  expected?: number,
): Promise<Attachment> {
  return nameStoredFile(deps.storage, file, deps.log, () =>
    deps.db.transaction(async (tx) => {
      const before = await visibleAttachment(tx, actor, id, true)
      await requireManage(tx, actor, before, expected)
      const [row] = await tx
        .update(attachments)
        .set({
          filename: file.filename,
          contentType: file.contentType,
          size: file.size,
          sha256: file.sha256,
          storageKey: file.key,
          extractionStatus: extractionFor(file.contentType),
          extractionError: null,
          extractedText: null,
          updatedAt: new Date(),
          version: sql`${attachments.version} + 1`,
        })
        .where(eq(attachments.id, id))
        .returning()
      await refreshTaskText(tx, before.taskId)
      await enqueueExtraction(deps.queue, tx, row!)
      await deps.queue.send(DELETE_OBJECT_JOB, { key: before.storageKey }, { tx })
      await recordActivity(tx, {
        actorId: actor.userId,
        action: 'attachment.updated',
        ...activityOf(before),
        changes: diff(before, row!, ['filename', 'contentType', 'size', 'sha256']),
      })
      return toAttachment(row!)
    }),
  )
}

/** Removes the row now and the object by a job enqueued in the same transaction. */
export async function deleteAttachment(deps: FilesDeps, actor: Actor, id: string, expected?: number): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const row = await visibleAttachment(tx, actor, id, true)
    await requireManage(tx, actor, row, expected)
    await tx.delete(attachments).where(eq(attachments.id, id))
    await refreshTaskText(tx, row.taskId)
    await deps.queue.send(DELETE_OBJECT_JOB, { key: row.storageKey }, { tx })
    await recordActivity(tx, {
      actorId: actor.userId,
      action: 'attachment.deleted',
      ...activityOf(row),
      changes: { filename: { from: row.filename, to: null } },
    })
  })
}

/** Queues text extraction again (a PDF); other files are marked skipped. */
export async function requestExtraction(deps: FilesDeps, actor: Actor, id: string): Promise<Attachment> {
  return deps.db.transaction(async (tx) => {
    const before = await visibleAttachment(tx, actor, id, true)
    await requireRole(tx, actor, before.teamId, 'member', 'attachment', id)
    const [row] = await tx
      .update(attachments)
      .set({
        extractionStatus: extractionFor(before.contentType),
        extractionError: null,
        updatedAt: new Date(),
        version: sql`${attachments.version} + 1`,
      })
      .where(eq(attachments.id, id))
      .returning()
    await enqueueExtraction(deps.queue, tx, row!)
    return toAttachment(row!)
  })
}
