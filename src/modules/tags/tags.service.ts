import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { serverError, UNIQUE_VIOLATION } from '../../db/errors.ts'
import { type TagRow, tags } from '../../db/tables/tags.ts'
import type { Actor } from '../../http/auth.ts'
import { page } from '../../http/cursor.ts'
import { decodeAfter } from '../../http/keyset.ts'
import { conflict, notFound, preconditionFailed } from '../../http/problem.ts'
import { newId } from '../../lib/ids.ts'
import { named } from '../../lib/patch.ts'
import { iso } from '../../lib/time.ts'
import { requireRole, requireRoleInBody, visibleTo } from '../access/index.ts'
import { created, diff, recordActivity } from '../activity/index.ts'
import type { Tag } from './tags.schema.ts'

const toTag = (row: TagRow): Tag => ({
  id: row.id,
  teamId: row.teamId,
  name: row.name,
  color: row.color,
  createdAt: iso(row.createdAt),
  updatedAt: iso(row.updatedAt),
  version: row.version,
})

/** The unique index on (team, lower(name)) decides between concurrent writers: the loser gets 409. */
async function uniqueName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (err) {
    if (serverError(err)?.code === UNIQUE_VIOLATION) throw conflict('The team already has a tag with this name')
    throw err
  }
}

/** A team's tags by name (any member; 404 for a team the caller cannot see). */
export async function listTags(db: Db, actor: Actor, query: { teamId: string; limit: number; cursor?: string }) {
  await requireRole(db, actor, query.teamId, 'viewer')
  const after = decodeAfter(query.cursor, ['text', 'uuid'])
  const rows = await db
    .select()
    .from(tags)
    .where(
      and(
        eq(tags.teamId, query.teamId),
        after ? sql`(${tags.name}, ${tags.id}) > (${after[0]}::text, ${after[1]}::uuid)` : undefined,
      ),
    )
    .orderBy(asc(tags.name), asc(tags.id))
    .limit(query.limit + 1)
  const result = page(rows, query.limit, (r) => [r.name, r.id])
  return { items: result.items.map(toTag), nextCursor: result.nextCursor }
}

export async function getTag(db: Db, actor: Actor, id: string): Promise<Tag> {
  const [row] = await db
    .select()
    .from(tags)
    .where(and(eq(tags.id, id), visibleTo(actor, tags.teamId)))
  if (!row) throw notFound('tag', id)
  return toTag(row)
}

async function requireTagRole(db: Db, actor: Actor, id: string) {
  const [row] = await db.select({ teamId: tags.teamId }).from(tags).where(eq(tags.id, id))
  if (!row) throw notFound('tag', id)
  await requireRole(db, actor, row.teamId, 'admin', 'tag', id)
}

export async function createTag(db: Db, actor: Actor, input: { teamId: string; name: string; color: string }) {
  await requireRoleInBody(db, actor, input.teamId, 'admin')
  return uniqueName(() =>
    db.transaction(async (tx) => {
      const [row] = await tx
        .insert(tags)
        .values({ id: newId(), ...input })
        .returning()
      await recordActivity(tx, {
        actorId: actor.userId,
        action: 'tag.created',
        entityType: 'tag',
        entityId: row!.id,
        teamId: row!.teamId,
        changes: created(row!, ['name', 'color']),
      })
      return toTag(row!)
    }),
  )
}

const versionIs = (expected: number | undefined) => (expected === undefined ? undefined : eq(tags.version, expected))

export async function updateTag(
  db: Db,
  actor: Actor,
  id: string,
  input: { name?: string; color?: string },
  expected?: number,
): Promise<Tag> {
  await requireTagRole(db, actor, id)
  return uniqueName(() =>
    db.transaction(async (tx) => {
      const [before] = await tx.select().from(tags).where(eq(tags.id, id)).for('update')
      if (!before) throw notFound('tag', id)
      if (expected !== undefined && before.version !== expected) throw preconditionFailed()
      const changes = diff(before, { ...before, ...named(input) }, ['name', 'color'])
      if (!Object.keys(changes).length) return toTag(before)
      const [after] = await tx
        .update(tags)
        .set({ ...named(input), updatedAt: new Date(), version: sql`${tags.version} + 1` })
        .where(and(eq(tags.id, id), versionIs(expected)))
        .returning()
      if (!after) throw preconditionFailed()
      await recordActivity(tx, {
        actorId: actor.userId,
        action: 'tag.updated',
        entityType: 'tag',
        entityId: id,
        teamId: after.teamId,
        changes,
      })
      return toTag(after)
    }),
  )
}

/** Deletes a tag (admin+); tasks lose it. */
export async function deleteTag(db: Db, actor: Actor, id: string, expected?: number): Promise<void> {
  await requireTagRole(db, actor, id)
  await db.transaction(async (tx) => {
    const [row] = await tx
      .delete(tags)
      .where(and(eq(tags.id, id), versionIs(expected)))
      .returning()
    if (!row) {
      const [still] = await tx.select({ id: tags.id }).from(tags).where(eq(tags.id, id))
      throw still ? preconditionFailed() : notFound('tag', id)
    }
    await recordActivity(tx, {
      actorId: actor.userId,
      action: 'tag.deleted',
      entityType: 'tag',
      entityId: id,
      teamId: row.teamId,
      changes: { name: { from: row.name, to: null }, color: { from: row.color, to: null } },
    })
  })
}
