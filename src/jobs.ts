import type { Config } from './config.ts'
import type { Database } from './db/client.ts'
import type { JobDefinition } from './infra/queue.ts'
import type { Storage } from './infra/storage.ts'
import { attachmentJobs } from './modules/attachments/attachments.jobs.ts'
import { fileJobs } from './modules/files/files.jobs.ts'

export interface JobDeps {
  config: Config
  database: Database
  storage: Storage
}

/** Every kind of background job, one line per module: what a worker (or the embedded API) runs. */
export function jobDefinitions({ config, database, storage }: JobDeps): JobDefinition<never>[] {
  return [...fileJobs({ db: database.db, storage }), ...attachmentJobs({ db: database.db, storage, config })]
}
