import type { Db } from '../../db/client.ts'
import type { JobDefinition } from '../../infra/queue.ts'
import { sweepTickets } from './events.service.ts'

export const SWEEP_TICKETS_JOB = 'events.sweep-tickets'

/** The hourly sweep of spent and expired tickets (event streams and download links). */
export function eventJobs(deps: { db: Db }): JobDefinition<never>[] {
  const sweep: JobDefinition<Record<string, never>> = {
    name: SWEEP_TICKETS_JOB,
    cron: '23 * * * *',
    retryLimit: 1,
    expireInSeconds: 15 * 60,
    handle: async () => ({ removed: await sweepTickets(deps.db) }),
  }
  return [sweep] as JobDefinition<never>[]
}
