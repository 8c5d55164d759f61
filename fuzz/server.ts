import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { openDb } from '../src/db/client.ts'
import { migrateUp } from '../src/db/migrate.ts'
import { openDeps } from '../src/deps.ts'
import { createLogger } from '../src/logger.ts'
import { withDb } from '../test/global-setup.ts'

export interface FuzzServer {
  url: URL
  /** the log lines (level warn and above) of a request, by its id: the cause of a 5xx */
  logsOf(requestId: string): string[]
  close(): Promise<void>
}

/**
 * The app in this process, listening on a free port, on a database of its own: a fresh embedded
 * one, or with `databaseUrl` a new database on that PostgreSQL server (dropped at the end).
 * Configured as the tests configure it (responses checked against their schemas, no rate limits).
 */
export async function startFuzzServer(databaseUrl?: string): Promise<FuzzServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tasklane-fuzz-'))
  const dbName = `tl_fuzz_${randomBytes(4).toString('hex')}`
  let admin: pg.Client | undefined
  if (databaseUrl) {
    admin = new pg.Client({ connectionString: databaseUrl })
    await admin.connect()
    await admin.query(`create database ${dbName}`)
  }
  const database = databaseUrl ? await openDb({ url: withDb(databaseUrl, dbName) }) : await openDb({ dataDir })
  await migrateUp(database)
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    ...(databaseUrl ? { DATABASE_URL: withDb(databaseUrl, dbName) } : {}),
    JWT_SECRET: randomBytes(32).toString('base64url'),
    ACCESS_TOKEN_TTL: '86400',
    RATE_LIMIT_ENABLED: 'false',
    LOG_LEVEL: 'warn',
  })
  const lines = new Map<string, string[]>()
  const logger = createLogger(config, {
    write(line: string) {
      const reqId = /"reqId":"([^"]+)"/.exec(line)?.[1] ?? '-'
      const known = lines.get(reqId) ?? []
      if (known.length < 5) known.push(line.slice(0, 4000))
      lines.set(reqId, known)
    },
  })
  const app = await buildApp(await openDeps({ config, database, logger }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  return {
    url: new URL(`http://127.0.0.1:${port}`),
    logsOf: (requestId) => lines.get(requestId) ?? [],
    async close() {
      await app.close()
      await database.close()
      if (admin) {
        await admin.query(`drop database if exists ${dbName} with (force)`)
        await admin.end()
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
