import { inArray } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { Db } from '../../db/client.ts'
import { attachments } from '../../db/tables/attachments.ts'
import { notes } from '../../db/tables/notes.ts'
import type { ObjectInfo, Storage } from '../../infra/storage.ts'
import { FILES_PREFIX } from './files.upload.ts'

/** An object younger than this may belong to an upload whose row is still being written. */
const SWEEP_MIN_AGE_MS = 60 * 60_000
const BATCH = 500

/** The keys among `keys` that some row names. */
async function namedKeys(db: Db, keys: string[]): Promise<Set<string>> {
  const [a, n] = await Promise.all([
    db.select({ key: attachments.storageKey }).from(attachments).where(inArray(attachments.storageKey, keys)),
    db.select({ key: notes.fileKey }).from(notes).where(inArray(notes.fileKey, keys)),
  ])
  return new Set([...a.map((r) => r.key), ...n.map((r) => r.key!)])
}

/**
 * Removes stored objects that no row names and that are older than `minAgeMs` (left by a crash
 * between writing an object and its row, or by a cascade that deleted rows). Returns what it removed.
 */
export async function sweepOrphans(
  deps: { db: Db; storage: Storage; log: Logger },
  minAgeMs = SWEEP_MIN_AGE_MS,
): Promise<ObjectInfo[]> {
  const removed: ObjectInfo[] = []
  let batch: ObjectInfo[] = []
  const flush = async () => {
    if (!batch.length) return
    const named = await namedKeys(
      deps.db,
      batch.map((o) => o.key),
    )
    for (const o of batch) {
      if (named.has(o.key)) continue
      await deps.storage.delete(o.key)
      removed.push(o)
    }
    batch = []
  }
  for await (const o of deps.storage.list(FILES_PREFIX, { olderThan: new Date(Date.now() - minAgeMs) })) {
    batch.push(o)
    if (batch.length >= BATCH) await flush()
  }
  await flush()
  if (removed.length) {
    deps.log.info(
      { count: removed.length, bytes: removed.reduce((n, o) => n + o.size, 0), keys: removed.map((o) => o.key) },
      'sweep removed orphan objects',
    )
  }
  return removed
}
