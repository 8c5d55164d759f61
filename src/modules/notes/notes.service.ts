import { and, desc, eq, inArray, isNotNull, or, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type NoteRow, notes } from '../../db/tables/notes.ts'
import { projects } from '../../db/tables/projects.ts'
import { teamMembers } from '../../db/tables/teams.ts'
import type { Actor } from '../../http/auth.ts'
import { page } from '../../http/cursor.ts'
import { decodeAfter } from '../../http/keyset.ts'
import { forbidden, invalidField, notFound, preconditionFailed } from '../../http/problem.ts'
import { newId } from '../../lib/ids.ts'
import { named } from '../../lib/patch.ts'
import { iso } from '../../lib/time.ts'
import {
  canChangeNote,
  type NoteChange,
  requireVisibleProject,
  type TeamRole,
  teamRoleOf,
  visibleTo,
} from '../access/index.ts'
import type { Action } from '../activity/index.ts'
import { created, diff, recordActivity } from '../activity/index.ts'
import type { FilesDeps } from '../attachments/index.ts'
import { DELETE_OBJECT_JOB, nameStoredFile, type StoredFile } from '../files/index.ts'
import type { CreateNote, Note, UpdateNote } from './notes.schema.ts'

const FIELDS = ['title', 'body', 'projectId'] as const

const toNote = (row: NoteRow): Note => ({
  id: row.id,
  title: row.title,
  body: row.body,
  projectId: row.projectId,
  file: row.fileKey
    ? {
        filename: row.fileName!,
        contentType: row.fileContentType!,
        size: row.fileSize!,
        sha256: row.fileSha256!,
        url: `/api/v1/notes/${row.id}/file`,
      }
    : null,
  createdAt: iso(row.createdAt),
  updatedAt: iso(row.updatedAt),
  version: row.version,
})

/** Projects whose team the caller can see: a note shared with one is readable. */
const visibleProjects = (actor: Actor) =>
  sql`(select ${projects.id} from ${projects} where ${visibleTo(actor, projects.teamId) ?? sql`true`})`

/** A note is the owner's; shared with a project, the project's team reads it too. */
const readableBy = (actor: Actor): SQL =>
  or(
    eq(notes.ownerId, actor.userId),
    and(isNotNull(notes.projectId), inArray(notes.projectId, visibleProjects(actor))),
  )!

async function readable(db: Db, actor: Actor, id: string, lock = false): Promise<NoteRow> {
  const q = db
    .select()
    .from(notes)
    .where(and(eq(notes.id, id), readableBy(actor)))
  const [row] = lock ? await q.for('update') : await q
  if (!row) throw notFound('note', id)
  return row
}

/** What a write does to a note: the rules below allow each to different people. */
const FORMER_MEMBER =
  'This note is shared with a team you are no longer a member of: only its admins can unshare or delete it'
const NOT_YOURS =
  'Only the owner of a note can change it; the admins of the team it is shared with can unshare or delete it'

/**
 * Who may change a note, by rule: its owner, while it is personal or while they hold the member role
 * in the team it is shared with (a note whose author left that team stays shared, frozen, so they can
 * no longer write into the team); and an admin of that team, to unshare or delete it. Anyone else who
 * reads it gets 403. The membership row is locked FOR SHARE, so a removal waits for this write.
 */
async function changeable(db: Db, actor: Actor, id: string, change: NoteChange, expected?: number): Promise<NoteRow> {
  const row = await readable(db, actor, id, true)
  const teamId = await teamOf(db, row.projectId)
  const role = teamId ? await lockedRoleOf(db, actor.userId, teamId) : null
  if (!canChangeNote(actor, role, { ownerId: row.ownerId, shared: teamId !== null }, change)) {
    throw forbidden(row.ownerId === actor.userId ? FORMER_MEMBER : NOT_YOURS)
  }
  if (expected !== undefined && expected !== row.version) throw preconditionFailed()
  return row
}

async function lockedRoleOf(db: Db, userId: string, teamId: string): Promise<TeamRole | null> {
  const [m] = await db
    .select({ role: teamMembers.role })
    .from(teamMembers)
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
    .for('share')
  return m?.role ?? null
}

/** A patch that only takes the note out of its project: what a team admin may do to someone else's note. */
const onlyUnshares = (patch: UpdateNote) =>
  patch.projectId === null && Object.entries(patch).every(([k, v]) => k === 'projectId' || v === undefined)

/**
 * The team of the project a note is shared with (a member of it may share there), or null. Call in
 * the writing transaction: the project is locked FOR KEY SHARE, so a concurrent delete of it goes
 * first (400 here) or waits for the note and clears its projectId.
 */
async function teamOfProject(db: Db, actor: Actor, projectId: string | null | undefined): Promise<string | null> {
  if (!projectId) return null
  const [project] = await db
    .select({ teamId: projects.teamId })
    .from(projects)
    .where(and(eq(projects.id, projectId), visibleTo(actor, projects.teamId)))
    .for('key share')
  const role = project ? await teamRoleOf(db, actor, project.teamId) : null
  if (!project || !role) throw invalidField('body.projectId', 'project not found')
  if (role === 'viewer') throw invalidField('body.projectId', 'sharing needs the member role in the project team')
  return project.teamId
}

async function teamOf(db: Db, projectId: string | null): Promise<string | null> {
  if (!projectId) return null
  const [p] = await db.select({ teamId: projects.teamId }).from(projects).where(eq(projects.id, projectId))
  return p?.teamId ?? null
}

const noteActivity = async (tx: Db, actor: Actor, row: NoteRow, action: Action, changes = {}) =>
  recordActivity(tx, {
    actorId: actor.userId,
    action,
    entityType: 'note',
    entityId: row.id,
    teamId: await teamOf(tx, row.projectId),
    projectId: row.projectId,
    changes,
  })

export async function listNotes(
  db: Db,
  actor: Actor,
  query: { limit: number; cursor?: string; projectId?: string },
): Promise<{ items: Note[]; nextCursor: string | null }> {
  // checked even when the page has notes: the caller's own note may name a project of a team they left
  if (query.projectId) await requireVisibleProject(db, actor, query.projectId)
  const after = decodeAfter(query.cursor, ['timestamptz', 'uuid'])
  const rows = await db
    .select()
    .from(notes)
    .where(
      and(
        readableBy(actor),
        query.projectId ? eq(notes.projectId, query.projectId) : undefined,
        after ? sql`(${notes.createdAt}, ${notes.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(notes.createdAt), desc(notes.id))
    .limit(query.limit + 1)
  const result = page(rows, query.limit, (r) => [iso(r.createdAt), r.id])
  return { items: result.items.map(toNote), nextCursor: result.nextCursor }
}

export async function getNote(db: Db, actor: Actor, id: string): Promise<Note> {
  return toNote(await readable(db, actor, id))
}

export async function noteFile(db: Db, actor: Actor, id: string) {
  const row = await readable(db, actor, id)
  if (!row.fileKey) throw notFound('note file', id)
  return { key: row.fileKey, filename: row.fileName!, contentType: row.fileContentType!, size: row.fileSize! }
}

export async function createNote(db: Db, actor: Actor, input: CreateNote): Promise<Note> {
  return db.transaction(async (tx) => {
    await teamOfProject(tx, actor, input.projectId)
    const [row] = await tx
      .insert(notes)
      .values({
        id: newId(),
        ownerId: actor.userId,
        title: input.title,
        body: input.body ?? '',
        projectId: input.projectId ?? null,
      })
      .returning()
    await noteActivity(tx, actor, row!, 'note.created', created(row!, FIELDS))
    return toNote(row!)
  })
}

export async function updateNote(
  db: Db,
  actor: Actor,
  id: string,
  patch: UpdateNote,
  expected?: number,
): Promise<Note> {
  return db.transaction(async (tx) => {
    const before = await changeable(tx, actor, id, onlyUnshares(patch) ? 'unshare' : 'edit', expected)
    const changes = named(patch)
    if (changes.projectId !== undefined && changes.projectId !== before.projectId) {
      await teamOfProject(tx, actor, changes.projectId)
    }
    const [row] = await tx
      .update(notes)
      .set({ ...changes, updatedAt: new Date(), version: sql`${notes.version} + 1` })
      .where(eq(notes.id, id))
      .returning()
    // a note taken out of a project is logged in the team it left, whose clients then drop it
    const logged = { ...row!, projectId: row!.projectId ?? before.projectId }
    await noteActivity(tx, actor, logged, 'note.updated', diff(before, row!, FIELDS))
    return toNote(row!)
  })
}

export async function deleteNote(deps: FilesDeps, actor: Actor, id: string, expected?: number): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const row = await changeable(tx, actor, id, 'delete', expected)
    await tx.delete(notes).where(eq(notes.id, id))
    if (row.fileKey) await deps.queue.send(DELETE_OBJECT_JOB, { key: row.fileKey }, { tx })
    await noteActivity(tx, actor, row, 'note.deleted', { title: { from: row.title, to: null } })
  })
}

/** Checks, before any byte is read, that the caller may set this note's file. */
export async function noteForFile(db: Db, actor: Actor, id: string, expected?: number): Promise<void> {
  await changeable(db, actor, id, 'edit', expected)
}

/** Attaches or replaces the note's file; a replaced object is removed by a job once this commits. */
export async function setNoteFile(
  deps: FilesDeps,
  actor: Actor,
  id: string,
  file: StoredFile,
  expected?: number,
): Promise<Note> {
  return nameStoredFile(deps.storage, file, deps.log, () =>
    deps.db.transaction(async (tx) => {
      const before = await changeable(tx, actor, id, 'edit', expected)
      const [row] = await tx
        .update(notes)
        .set({
          fileKey: file.key,
          fileName: file.filename,
          fileContentType: file.contentType,
          fileSize: file.size,
          fileSha256: file.sha256,
          updatedAt: new Date(),
          version: sql`${notes.version} + 1`,
        })
        .where(eq(notes.id, id))
        .returning()
      if (before.fileKey) await deps.queue.send(DELETE_OBJECT_JOB, { key: before.fileKey }, { tx })
      await noteActivity(tx, actor, row!, 'note.file_set', {
        file: { from: before.fileName, to: file.filename },
        fileSha256: { from: before.fileSha256, to: file.sha256 },
      })
      return toNote(row!)
    }),
  )
}

export async function removeNoteFile(deps: FilesDeps, actor: Actor, id: string, expected?: number): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const before = await changeable(tx, actor, id, 'edit', expected)
    if (!before.fileKey) throw notFound('note file', id)
    const [row] = await tx
      .update(notes)
      .set({
        fileKey: null,
        fileName: null,
        fileContentType: null,
        fileSize: null,
        fileSha256: null,
        updatedAt: new Date(),
        version: sql`${notes.version} + 1`,
      })
      .where(eq(notes.id, id))
      .returning()
    await deps.queue.send(DELETE_OBJECT_JOB, { key: before.fileKey }, { tx })
    await noteActivity(tx, actor, row!, 'note.file_removed', { file: { from: before.fileName, to: null } })
  })
}
