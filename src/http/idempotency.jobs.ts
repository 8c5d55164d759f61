import type { Db } from '../db/client.ts'
import type { JobDefinition } from '../infra/queue.ts'
import { sweepIdempotencyKeys } from './idempotency.ts'

export const SWEEP_IDEMPOTENCY_KEYS_JOB = 'idempotency.sweep-keys'

/**
 * The hourly sweep of Idempotency-Keys past their 24 hours: a key's stored answer can hold a secret
 * (a webhook's), which must not outlive the replay window.
 */
export function idempotencyJobs(deps: { db: Db }): JobDefinition<never>[] {
  const sweep: JobDefinition<Record<string, never>> = {
    name: SWEEP_IDEMPOTENCY_KEYS_JOB,
    cron: '41 * * * *',
    retryLimit: 1,
    expireInSeconds: 15 * 60,
    handle: async () => ({ removed: await sweepIdempotencyKeys(deps.db) }),
  }
  return [sweep] as JobDefinition<never>[]
}
