import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

/**
 * PostgreSQL and Redis servers of a test's (or the chaos script's) own, on spare ports, to stop and
 * start at will: the shared ones on 5432 and 6379 serve everybody else's tests and are never touched.
 */

const run = promisify(execFile)
// PG_BIN, or the newest of the Debian/Ubuntu packages' /usr/lib/postgresql/<major>/bin
const PG_BIN =
  process.env.PG_BIN ??
  (existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .filter((v) => existsSync(join('/usr/lib/postgresql', v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => join('/usr/lib/postgresql', v, 'bin'))[0]
    : undefined) ??
  '/usr/lib/postgresql/15/bin'

/**
 * PostgreSQL refuses to run as root: when this process is root (a container), the cluster is
 * created and run as the `postgres` user the package installs.
 */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
  return { uid: id('-u'), gid: id('-g') }
}

export const hasPostgresBinaries = () => existsSync(join(PG_BIN, 'pg_ctl'))

/** A port nothing listens on right now. */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number }
        s.close(() => resolve(port))
      })
  })

export interface PrivatePostgres {
  /** the connection string of the `postgres` database (superuser, trust auth) */
  url: string
  port: number
  /** `pg_ctl stop -m <mode>`: fast ends sessions cleanly, immediate is a crash (recovery on start) */
  stop(mode: 'fast' | 'immediate'): Promise<void>
  /** Starts it again (nothing to do when it runs) and resolves once it accepts connections. */
  start(): Promise<void>
  /** Stops the server (immediately) and removes its files; safe to call twice. */
  destroy(): Promise<void>
}

/** initdb + start a cluster in a temporary directory, listening on 127.0.0.1 and a spare port. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'tasklane-pg-'))
  const user = serverUser()
  if (user) chownSync(dir, user.uid, user.gid)
  const pg = (bin: string, args: string[]) => run(join(PG_BIN, bin), args, { ...user })
  const data = join(dir, 'data')
  const port = await freePort()
  // durability is beside the point here (an immediate stop is a crash of the server, not of the machine)
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`
  let running = false
  const start = async () => {
    if (running) return
    await pg('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '120', 'start'])
    running = true
  }
  const stop = async (mode: 'fast' | 'immediate') => {
    if (!running) return
    await pg('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '120', 'stop'])
    running = false
  }
  try {
    await pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'])
    await start()
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  let destroyed = false
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    async destroy() {
      if (destroyed) return
      destroyed = true
      if (running) await stop('immediate').catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface PrivateRedis {
  url: string
  port: number
  /** SIGKILLs it (nothing is persisted: it comes back empty, as after a crash) */
  stop(): Promise<void>
  start(): Promise<void>
  destroy(): Promise<void>
}

/** A redis-server on a spare port, without persistence. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort()
  let proc: ChildProcess | undefined
  const start = async () => {
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    )
    proc = child
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`)
      try {
        await run('redis-cli', ['-p', String(port), 'ping'])
        return
      } catch {
        await new Promise((r) => setTimeout(r, 50))
      }
    }
    throw new Error('redis-server did not start')
  }
  const stop = async () => {
    const child = proc
    proc = undefined
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGKILL')
    await exited
  }
  await start()
  return { url: `redis://127.0.0.1:${port}`, port, stop, start, destroy: stop }
}
