import type { Db } from '../../db/client.ts'
import type { JobDefinition } from '../../infra/queue.ts'
import type { Storage } from '../../infra/storage.ts'
import { sweepOrphans } from './files.sweep.ts'

export const DELETE_OBJECT_JOB = 'files.delete-object'
export const SWEEP_JOB = 'files.sweep'

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
