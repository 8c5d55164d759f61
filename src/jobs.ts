import type { Registry } from 'prom-client'
import { type Config, publicBaseUrl } from './config.ts'
import type { Database } from './db/client.ts'
import { idempotencyJobs } from './http/idempotency.jobs.ts'
import { type Mailer, openMailer } from './infra/mailer.ts'
import type { JobDefinition } from './infra/queue.ts'
import type { Storage } from './infra/storage.ts'
import { attachmentJobs } from './modules/attachments/attachments.jobs.ts'
import { accountMailJobs } from './modules/auth/account-mail.jobs.ts'
import { authJobs } from './modules/auth/auth.jobs.ts'
import { eventJobs } from './modules/events/events.jobs.ts'
import { fileJobs } from './modules/files/files.jobs.ts'
import { jobKindJobs } from './modules/jobs/jobs.jobs.ts'
import { notificationJobs } from './modules/notifications/notifications.jobs.ts'
import { invitationJobs } from './modules/teams/invitations.jobs.ts'
import { counter, webhookJobs } from './modules/webhooks/webhooks.jobs.ts'

export interface JobDeps {
  config: Config
  database: Database
  storage: Storage
  /** email: by default SMTP_URL, or the outbox under DATA_DIR */
  mailer?: Mailer
  /** where job counters go (webhook deliveries by outcome, emails sent/failed): the app's /metrics */
  registry?: Registry
  /** the clock of webhook deliveries (tests simulate days of failures) */
  now?: () => Date
  /** the first webhook retry's delay (tests: 1 s rather than 15 s) */
  webhookRetryDelaySeconds?: number
}

/** Every kind of background job, one line per module: what a worker (or the embedded API) runs. */
export function jobDefinitions({ config, database, storage, ...deps }: JobDeps): JobDefinition<never>[] {
  const emails = counter(deps.registry, 'tasklane_emails_total', 'Emails by outcome (sent, failed)', ['outcome'])
  const mailer = deps.mailer ?? openMailer(config)
  const onEmail = (outcome: 'sent' | 'failed') => emails?.inc({ outcome })
  return [
    ...idempotencyJobs({ db: database.db }),
    ...authJobs({ db: database.db }),
    ...eventJobs({ db: database.db }),
    ...fileJobs({ db: database.db, storage }),
    ...attachmentJobs({ db: database.db, storage, config }),
    ...webhookJobs({
      db: database.db,
      allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
      now: deps.now,
      registry: deps.registry,
      retryDelaySeconds: deps.webhookRetryDelaySeconds,
    }),
    ...notificationJobs({
      db: database.db,
      mailer,
      baseUrl: publicBaseUrl(config),
      onEmail,
    }),
    ...jobKindJobs({ config, database, storage, registry: deps.registry }),
    ...accountMailJobs({ db: database.db, mailer, baseUrl: publicBaseUrl(config), onEmail }),
    ...invitationJobs({ db: database.db, mailer, baseUrl: publicBaseUrl(config), onEmail }),
  ]
}
