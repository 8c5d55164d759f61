import { type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { attachments } from '../../db/tables/attachments.ts'
import type { JobDefinition, Queue } from '../../infra/queue.ts'
import type { Storage } from '../../infra/storage.ts'
import { sweepOrphans } from './files.sweep.ts'

export const DELETE_OBJECT_JOB = 'files.delete-object'
const SWEEP_JOB = 'files.sweep'

/** What a delete that may orphan stored objects needs: its database, and the queue that removes them. */
export interface CascadeDeps {
  db: Db
  queue: Queue
}

/**
 * Queues the removal of every object `keys` names (a SELECT of one column `key`), in one statement
 * in the delete's transaction: call it before the delete whose cascade takes the rows naming them.
 */
export async function removeObjects(queue: Queue, tx: Db, keys: SQL): Promise<void> {
  await queue.sendEach(DELETE_OBJECT_JOB, sql`select json_build_object('key', k.key) as data from (${keys}) k`, { tx })
}

/** The objects of the attachments of the tasks `taskIds` selects (a SELECT of task ids). */
export const attachmentObjectsOf = (taskIds: SQL): SQL =>
  sql`select ${attachments.storageKey} as key from ${attachments} where ${attachments.taskId} in (${taskIds})`

/** Removing objects whose rows are gone, and the periodic sweep for objects no row ever named. */
export function fileJobs(deps: { db: Db; storage: Storage }): JobDefinition<never>[] {
  const deleteObject: JobDefinition<{ key: string }> = {
    name: DELETE_OBJECT_JOB,
    retryLimit: 10,
    retryDelaySeconds: 30,
    expireInSeconds: 5 * 60,
    handle: ({ key }) => deps.storage.delete(key),
  }
  const sweep: JobDefinition<Record<string, never>> = {
    name: SWEEP_JOB,
    cron: '*/15 * * * *',
    retryLimit: 1,
    expireInSeconds: 30 * 60,
    handle: async (_, { log }) => {
      const removed = await sweepOrphans({ db: deps.db, storage: deps.storage, log })
      return { removed: removed.length, keys: removed.slice(0, 1000).map((o) => o.key) }
    },
  }
  return [deleteObject, sweep] as JobDefinition<never>[]
}
