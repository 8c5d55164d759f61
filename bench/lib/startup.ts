import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../../test/private-services.ts'
import { BENCH_DIR } from './options.ts'

const ROOT = join(BENCH_DIR, '..')
// clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux)
const HZ = 100

export interface StartTime {
  run: string
  /** from spawn to /health answering 200 */
  healthMs: number
  /** from spawn to the first API answer (GET /api/v1/users/me → 401) */
  apiMs: number
  /** CPU time the server process had used when /health answered: what it costs on an idle machine */
  cpuMs: number
  /** the same at the first API answer (the app built, the routes serving) */
  apiCpuMs: number
  load: number
}

const cpuMsOf = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  // utime and stime are the 14th and 15th fields of the whole line (12th and 13th after the name)
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / HZ
}

async function answers(url: string): Promise<number | undefined> {
  try {
    return (await fetch(url)).status
  } catch {
    return undefined
  }
}

/** One `serve` on the embedded database in `dataDir`, timed to /health and to a first API answer, then stopped. */
async function timeOneStart(run: string, entry: string[], dataDir: string): Promise<StartTime> {
  const port = await freePort()
  const started = performance.now()
  const child = spawn(process.execPath, entry, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      ALLOW_EMBEDDED_DB: 'true',
      JWT_SECRET: 'bench-start-bench-start-bench-start-0123',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let err = ''
  child.stderr!.on('data', (c) => {
    err = (err + c).slice(-4000)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const base = `http://127.0.0.1:${port}`
  let healthMs = 0
  let cpuMs = 0
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${err}`)
      if (performance.now() - started > 300_000) throw new Error('serve did not answer /health within 300 s')
      if ((await answers(`${base}/health`)) === 200) break
      await new Promise((r) => setTimeout(r, 20))
    }
    healthMs = performance.now() - started
    cpuMs = cpuMsOf(child.pid!)
    while ((await answers(`${base}/api/v1/users/me`)) !== 401) await new Promise((r) => setTimeout(r, 20))
    const apiMs = performance.now() - started
    const apiCpuMs = cpuMsOf(child.pid!)
    return {
      run,
      healthMs: Math.round(healthMs),
      apiMs: Math.round(apiMs),
      apiCpuMs: Math.round(apiCpuMs),
      cpuMs: Math.round(cpuMs),
      load: loadavg()[0]!,
    }
  } finally {
    child.kill('SIGTERM')
    await exited
  }
}

/**
 * Start-up time on the embedded database: a first start on an empty DATA_DIR (PGlite creates the
 * cluster, every migration runs, pg-boss creates its schema), then restarts on it; from the
 * TypeScript source through tsx (what `npm start` runs after its web-build check) and, given
 * `compiledDir`, the compiled build (the Docker image). Wall times depend on the machine's load; the
 * CPU time is what the start costs on an idle machine.
 */
export async function measureStartup(opts: { compiledDir?: string; restarts: number; source: boolean }) {
  const rows: StartTime[] = []
  const entries: [string, string[]][] = []
  if (opts.source) entries.push(['source (tsx)', ['--import', 'tsx', 'src/cli.ts', 'serve']])
  if (opts.compiledDir) entries.push(['compiled', [join(opts.compiledDir, 'cli.js'), 'serve']])
  for (const [name, entry] of entries) {
    const dataDir = mkdtempSync(join(tmpdir(), 'tasklane-start-'))
    try {
      rows.push(await timeOneStart(`${name}, first start`, entry, dataDir))
      for (let i = 1; i <= opts.restarts; i++) rows.push(await timeOneStart(`${name}, restart ${i}`, entry, dataDir))
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
  // what `npm start` adds before serve: the web app's staleness check (a hash of its sources)
  const check = performance.now()
  spawnSync(process.execPath, ['scripts/web-build.mjs', '--if-stale'], { cwd: ROOT, stdio: 'ignore' })
  const webCheckMs = Math.round(performance.now() - check)
  return { rows, webCheckMs }
}

export function startupTable({ rows, webCheckMs }: Awaited<ReturnType<typeof measureStartup>>): string {
  return [
    '| start (embedded database) | /health ms | first API answer ms | CPU ms at /health | CPU ms at the API answer | load avg |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.run} | ${r.healthMs} | ${r.apiMs} | ${r.cpuMs} | ${r.apiCpuMs} | ${r.load.toFixed(1)} |`),
    '',
    `npm start's web-app staleness check before serve: ${webCheckMs} ms`,
  ].join('\n')
}
