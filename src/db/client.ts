import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import pg from 'pg'
import { OperatorError } from '../lib/operator-error.ts'
import { ResilientPool } from './pool.ts'
import * as schema from './schema.ts'

type Schema = typeof schema
/** A Drizzle handle: the database itself or a transaction (a transaction is just another Db). */
export type Db = PgDatabase<PgQueryResultHKT, Schema>

/** The smallest raw SQL surface, shared by the migrator, the job queue and the tests. */
export interface SqlClient {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>
  /** Runs several statements separated by `;` (no parameters). */
  exec(text: string): Promise<void>
}

export interface Database {
  db: Db
  kind: 'pglite' | 'postgres'
  /** the connection string (PostgreSQL only) */
  url?: string
  sql: SqlClient
  /** Resolves when the database answers, rejects otherwise (bounded by `timeoutMs`). */
  ping(timeoutMs?: number): Promise<void>
  /** Connection pool figures for /metrics (null for the single-session embedded database). */
  poolStats(): { total: number; idle: number; waiting: number } | null
  close(): Promise<void>
  /**
   * Calls `handler` on every NOTIFY on `channel` (delivered at commit), and once after each
   * reconnect (notifications sent while disconnected are lost, so listeners re-read).
   */
  listen(channel: string, handler: () => void): Promise<() => Promise<void>>
  /** The embedded database's files as a tarball (tests load a migrated image per file). */
  dump?(): Promise<Blob>
}

export type OpenDbOptions =
  | {
      url: string
      poolSize?: number
      /** how long to wait for a connection (default 5 s) */
      connectTimeoutMs?: number
      /** how long a query may run before the client gives up on it (default: no limit) */
      queryTimeoutMs?: number
      onQuery?: (sql: string) => void
      onError?: (err: Error) => void
    }
  | { dataDir: string; onQuery?: (sql: string) => void }
  | { image: Blob; onQuery?: (sql: string) => void }

const logger = (onQuery?: (sql: string) => void) => (onQuery ? { logQuery: (q: string) => onQuery(q) } : undefined)

export async function openDb(opts: OpenDbOptions): Promise<Database> {
  return 'url' in opts ? openPostgres(opts) : openPglite(opts)
}

function openPostgres(opts: Extract<OpenDbOptions, { url: string }>): Database {
  const pool = new ResilientPool({
    connectionString: opts.url,
    max: opts.poolSize ?? 20,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000,
    query_timeout: opts.queryTimeoutMs,
    idleTimeoutMillis: 30_000,
  })
  // an idle client losing its server must not crash the process; the next query reconnects
  pool.on('error', (err) => opts.onError?.(err))
  const listeners = new Set<() => Promise<void>>()
  const db = drizzlePg(pool, { schema, casing: 'snake_case', logger: logger(opts.onQuery) }) as unknown as Db
  return {
    db,
    kind: 'postgres',
    url: opts.url,
    sql: {
      query: async <R>(text: string, params?: unknown[]) =>
        (await pool.query(text, params)) as unknown as { rows: R[] },
      exec: async (text) => {
        await pool.query(text)
      },
    },
    ping: (timeoutMs = 2_000) => withTimeout(pool.query('select 1'), timeoutMs),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: async () => {
      for (const stop of listeners) await stop()
      await pool.end()
    },
    listen: async (channel, handler) => {
      const stop = pgListener(opts.url, channel, handler, opts.onError)
      listeners.add(stop)
      return async () => {
        listeners.delete(stop)
        await stop()
      }
    },
  }
}

/** A dedicated connection that LISTENs, reconnecting with backoff when it drops. */
function pgListener(url: string, channel: string, handler: () => void, onError?: (err: Error) => void) {
  let client: pg.Client | undefined
  let stopped = false
  let attempt = 0
  const connect = async () => {
    if (stopped) return
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 })
    c.on('notification', (n) => {
      if (n.channel === channel) handler()
    })
    c.on('error', (err) => {
      onError?.(err)
      void c.end().catch(() => {})
    })
    c.on('end', () => {
      if (client === c) client = undefined
      if (!stopped) setTimeout(connect, Math.min(100 * 2 ** attempt++, 5_000)).unref()
    })
    try {
      await c.connect()
      await c.query(`LISTEN "${channel.replaceAll('"', '')}"`)
      client = c
      attempt = 0
      handler()
    } catch (err) {
      onError?.(err as Error)
      await c.end().catch(() => {})
    }
  }
  void connect()
  return async () => {
    stopped = true
    await client?.end().catch(() => {})
  }
}

async function openPglite(opts: Extract<OpenDbOptions, { dataDir: string } | { image: Blob }>): Promise<Database> {
  // loaded only when used: importing PGlite costs ~40 MB of memory an instance on PostgreSQL never needs
  const [{ PGlite }, { drizzle: drizzlePglite }, { btree_gin }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('@electric-sql/pglite/contrib/btree_gin'),
  ])
  // contrib extensions the migrations create (PGlite bundles them but loads only those named here)
  const extensions = { btree_gin }
  let release = () => {}
  let client: PGlite
  if ('dataDir' in opts) {
    mkdirSync(opts.dataDir, { recursive: true })
    release = lockDataDir(opts.dataDir)
    client = new PGlite(join(opts.dataDir, 'pg'), { relaxedDurability: false, extensions })
  } else {
    client = new PGlite({ loadDataDir: opts.image, extensions })
  }
  try {
    await client.waitReady
  } catch (err) {
    release()
    throw err
  }
  const db = drizzlePglite(client, { schema, casing: 'snake_case', logger: logger(opts.onQuery) }) as unknown as Db
  let closed = false
  return {
    db,
    kind: 'pglite',
    sql: {
      query: async (text, params) => client.query(text, params as unknown[]),
      exec: async (text) => {
        await client.exec(text)
      },
    },
    ping: async (timeoutMs = 2_000) => {
      if (closed || client.closed) throw new Error('database is closed')
      await withTimeout(client.query('select 1'), timeoutMs)
    },
    poolStats: () => null,
    dump: () => client.dumpDataDir('none'),
    listen: async (channel, handler) => {
      const unlisten = await client.listen(channel, () => handler())
      return async () => {
        if (!closed) await unlisten()
      }
    },
    close: async () => {
      if (closed) return
      closed = true
      try {
        await client.close()
      } finally {
        release()
      }
    },
  }
}

/**
 * PGlite is a single session: two processes on one data directory corrupt it. A pid file
 * refuses the second opener while the first is alive (a stale file from a crash is taken over).
 */
function lockDataDir(dir: string): () => void {
  const file = join(dir, 'pglite.pid')
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8'))
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new OperatorError(
        `the embedded database in ${dir} is in use by process ${pid} (a running tasklane serve?): it takes one process at a time, stop that one first`,
      )
    }
  }
  writeFileSync(file, String(process.pid))
  return () => rmSync(file, { force: true })
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      p,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`database did not answer within ${ms} ms`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}
