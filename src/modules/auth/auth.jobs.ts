import type { Db } from '../../db/client.ts'
import type { JobDefinition } from '../../infra/queue.ts'
import { sweepAccountTokens } from './account-tokens.ts'
import { sweepSessions } from './sessions.service.ts'

export const SWEEP_SESSIONS_JOB = 'auth.sweep-sessions'

/** The hourly sweep of long-expired refresh tokens and account tokens (reset links and the like). */
export function authJobs(deps: { db: Db }): JobDefinition<never>[] {
  const sweep: JobDefinition<Record<string, never>> = {
    name: SWEEP_SESSIONS_JOB,
    cron: '17 * * * *',
    retryLimit: 1,
    expireInSeconds: 15 * 60,
    handle: async () => ({
      removed: await sweepSessions(deps.db),
      removedAccountTokens: await sweepAccountTokens(deps.db),
    }),
  }
  return [sweep] as JobDefinition<never>[]
}
