import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BENCH_DIR } from './options.ts'

const ROOT = join(BENCH_DIR, '..')

export interface Server {
  /** app-uncached: the app with its per-request auth caches off (AUTH_CACHE_TTL=0) */
  name: 'app' | 'app-uncached' | 'reference'
  url: string
  pid: number
  /** resident set size now, in MB (VmRSS of the server process) */
  rssMb(): number
  stop(): Promise<void>
}

export interface ServerEnv {
  databaseUrl?: string
  dataDir: string
  jwtSecret: string
  /** extra variables for the app (under-pressure thresholds…) */
  extra?: Record<string, string>
}

/** The environment of a production instance: nothing inherited but PATH and HOME. */
function productionEnv(env: ServerEnv, port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    JWT_SECRET: env.jwtSecret,
    // the run outlasts the default 15 minutes of an access token
    ACCESS_TOKEN_TTL: '86400',
    RATE_LIMIT_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    DATA_DIR: env.dataDir,
    ...(env.databaseUrl ? { DATABASE_URL: env.databaseUrl } : { ALLOW_EMBEDDED_DB: 'true' }),
    ...env.extra,
  }
}

/**
 * The node options the Docker image runs the API with: its `NODE_OPTIONS` and the options of its
 * CMD before the script (V8's heap sizing; the systemd units set the same). `--compiled` and
 * bench/memory.ts run the app with them unless `--app-node-flags` says otherwise, so CI's bench and
 * the memory figures measure the app as it is deployed.
 */
export function imageNodeFlags(): string[] {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
  const env = /^\s*NODE_OPTIONS=(\S+)/m.exec(dockerfile)?.[1]
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1]
  const args: string[] = cmd ? JSON.parse(cmd) : []
  const script = args.findIndex((a) => a.endsWith('.js'))
  return [...(env ? env.split(' ') : []), ...args.slice(1, Math.max(script, 1))]
}

export function rssMbOf(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kb ? Number(kb) / 1024 : 0
  } catch {
    return 0
  }
}

/**
 * Resolves once `url` + `probe` answers 2xx; throws when the child exits first or after 90 s.
 * Tasklane's probe is /ready: its /health answers as soon as the port is open, before the routes serve.
 */
export async function waitHealthy(
  url: string,
  child: ChildProcess,
  output: () => string,
  probe = '/ready',
): Promise<void> {
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`)
    try {
      const res = await fetch(`${url}${probe}`)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`server at ${url} did not become healthy:\n${output()}`)
}

/**
 * Starts the app (`src/cli.ts serve`, as `npm start` runs it) or the bare reference as a child
 * node process under tsx, and resolves once /health answers.
 */
export async function startServer(
  name: Server['name'],
  port: number,
  env: ServerEnv,
  nodeFlags: string[] = [],
  /** the app compiled to JavaScript (buildApp below) instead of its TypeScript through tsx */
  compiledDir?: string,
): Promise<Server> {
  const entry =
    name === 'reference'
      ? ['--import', 'tsx', 'bench/reference/server.ts']
      : compiledDir
        ? [join(compiledDir, 'cli.js'), 'serve']
        : ['--import', 'tsx', 'src/cli.ts', 'serve']
  const child = spawn(process.execPath, [...nodeFlags, ...entry], {
    cwd: ROOT,
    env: {
      ...productionEnv(env, port),
      ...(name === 'app-uncached' ? { AUTH_CACHE_TTL: '0' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-8_000)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const url = `http://127.0.0.1:${port}`
  // the bare reference has only /health
  await waitHealthy(url, child, () => out, name === 'reference' ? '/health' : '/ready')
  return { name, url, pid: child.pid!, rssMb: () => rssMbOf(child.pid!), stop: stopper(child) }
}

/** Stops a server process: SIGTERM, then SIGKILL after 15 s; resolves once it exited. */
export function stopper(child: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return async () => {
    if (child.exitCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }
}

/** `npm run build` (scripts/build.mjs): the app compiled to dist/, as the Docker image runs it. */
export function buildApp(): string {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' })
  if (build.status !== 0) throw new Error('npm run build failed')
  return join(ROOT, 'dist')
}
