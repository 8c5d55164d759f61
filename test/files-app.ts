import { randomBytes } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../src/app.ts'
import type { Config } from '../src/config.ts'
import type { Database } from '../src/db/client.ts'
import { openDeps } from '../src/deps.ts'
import { createQueue, type Queue } from '../src/infra/queue.ts'
import type { Storage } from '../src/infra/storage.ts'
import { localStorage } from '../src/infra/storage-local.ts'
import { s3Storage } from '../src/infra/storage-s3.ts'
import { jobDefinitions } from '../src/jobs.ts'
import { createLogger } from '../src/logger.ts'
import { recordUndocumentedAnswers } from './answers.ts'
import { perFile, testConfig } from './app.ts'
import { freshDatabase } from './db.ts'
import type { GivenUser } from './given.ts'
import { startTestS3, type TestS3 } from './s3.ts'

export type StorageMode = 'local' | 's3'
export const STORAGE_MODES: StorageMode[] = ['local', 's3']

export interface FilesTestApp {
  app: FastifyInstance
  database: Database
  config: Config
  storage: Storage
  queue: Queue
  /** the in-process S3 server in S3 mode (stop it to take the store away) */
  s3?: TestS3
  logs: Record<string, unknown>[]
  close(): Promise<void>
}

/**
 * An app on a fresh database with real storage (a temp directory, or an in-process S3 server)
 * and a job queue whose handlers run in this process, polling often.
 */
async function createFilesApp(mode: StorageMode, env: Record<string, string> = {}): Promise<FilesTestApp> {
  const s3: TestS3 | undefined = mode === 's3' ? await startTestS3() : undefined
  const config = testConfig({ ...(s3 ? { S3_BUCKET: s3.bucket, S3_PREFIX: 'test/' } : {}), ...env })
  const storage = s3
    ? s3Storage({
        bucket: s3.bucket,
        region: 'us-east-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        prefix: 'test/',
        credentials: s3.credentials,
      })
    : localStorage(config.STORAGE_DIR)
  const database = await freshDatabase()
  const lines: string[] = []
  const logger = createLogger(config, { write: (line: string) => lines.push(line) })
  const queue = await createQueue({
    database,
    logger,
    jobs: jobDefinitions({ config, database, storage }),
    pollingIntervalSeconds: 0.5,
  })
  await queue.work()
  const app = await buildApp(await openDeps({ config, database, logger, storage, queue }))
  recordUndocumentedAnswers(app)
  await app.ready()
  return {
    app,
    database,
    config,
    storage,
    queue,
    s3,
    get logs() {
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>)
    },
    close: async () => {
      await app.close()
      await queue.stop(1_000)
      await storage.close()
      await database.close()
      await s3?.close()
    },
  }
}

/** One files app per test file (and storage mode): built before the first test, closed after the last. */
export function useFilesApp(mode: StorageMode, env: Record<string, string> = {}): FilesTestApp {
  return perFile(() => createFilesApp(mode, env), 'the files app')
}

/** A multipart/form-data body with one file part (and optional extra fields). */
export function multipartBody(
  file: { field?: string; filename: string; content: Buffer; contentType?: string },
  fields: Record<string, string> = {},
) {
  const boundary = `----tasklane${randomBytes(8).toString('hex')}`
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'file'}"; filename="${file.filename}"\r\n` +
        `Content-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`,
    ),
    file.content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  )
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

/** Uploads bytes as the field `file` with `method` to `url`. */
export async function sendFile(
  app: FastifyInstance,
  user: GivenUser | { auth: Record<string, string> },
  url: string,
  filename: string,
  content: Buffer,
  opts: { method?: 'POST' | 'PUT'; headers?: Record<string, string>; contentType?: string } = {},
): Promise<LightMyRequestResponse> {
  const body = multipartBody({ filename, content, contentType: opts.contentType })
  return app.inject({
    method: opts.method ?? 'POST',
    url,
    headers: { ...user.auth, ...body.headers, ...opts.headers },
    payload: body.payload,
  })
}

/** Every key in storage under files/. */
export async function storedKeys(storage: Storage): Promise<string[]> {
  const keys: string[] = []
  for await (const o of storage.list('files/')) keys.push(o.key)
  return keys.sort()
}

/** The first bytes of a PNG (enough for sniffing) followed by filler. */
export const pngBytes = () =>
  Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2000)])
