// npm run bench -- --peer [--duration 10 --warmup 3 --rounds 3 --connections 50 --only list,get,create --compiled --profile --no-list-cache]
//
// Tasklane beside the capstone peer (../shared/peers/capstone: Express + Prisma + a Redis list
// cache, built by its ./setup.sh and never copied here), both in production mode on the same
// PostgreSQL and Redis, measured in one run with interleaved rounds:
//   list    Tasklane GET /api/v1/tasks?projectId=<Inbox>&limit=20   peer GET /api/tasks?page=1&limit=20
//   get     GET one of the 200 tasks, cycling over them               (both)
//   create  POST a task into one Inbox from all connections           (both; no Idempotency-Key, the peer has none)
// Each side gets the world of the peer's own bench.mjs: a new user with 200 tasks in its Inbox (the
// reads); creates go to a second user's Inbox, so the reads' world stays 200 tasks in every round.
// Needs DATABASE_URL (PostgreSQL: Tasklane's database, migrated on start) and REDIS_URL (default
// redis://127.0.0.1:6379); the peer uses its own database, capstone_peer, on 127.0.0.1:5432.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { freePort } from '../test/private-services.ts'
import { drive, type Measurement } from './lib/drive.ts'
import { BENCH_DIR } from './lib/options.ts'
import { buildApp, rssMbOf, startServer, stopper, waitHealthy } from './lib/servers.ts'
import type { Req, Workload } from './lib/workloads.ts'

// PEER_DIR: the peer elsewhere than ../shared/peers/capstone beside the repository
export const PEER_DIR = process.env.PEER_DIR ?? resolve(BENCH_DIR, '../../shared/peers/capstone')
const TASKS = 200
const log = (line: string) => process.stderr.write(`${line}\n`)

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--peer'),
  strict: true,
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string', default: 'list,get,create' },
    compiled: { type: 'boolean' },
    // a V8 CPU profile of Tasklane's process (bench/results/profiles/peer-app/), read with bench/profile.ts
    profile: { type: 'boolean' },
    // Tasklane with its task list cache off (LIST_CACHE_MAX_BYTES=0; lists and single tasks): the figures before it
    'no-list-cache': { type: 'boolean' },
  },
})
const duration = Number(values.duration)
const warmup = Number(values.warmup)
const rounds = Number(values.rounds)
const connections = Number(values.connections)
const only = String(values.only).split(',')
const databaseUrl = process.env.DATABASE_URL
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
if (!databaseUrl) throw new Error('--peer runs on PostgreSQL: set DATABASE_URL (and REDIS_URL)')
if (!existsSync(join(PEER_DIR, 'setup.sh'))) throw new Error(`no peer at ${PEER_DIR}`)

// 1. the peer, built once by its own script (which prints the folder it built it in)
log(`building the peer (${PEER_DIR}/setup.sh)…`)
const setup = spawnSync('./setup.sh', { cwd: PEER_DIR, encoding: 'utf8' })
if (setup.status !== 0) throw new Error(`peer setup failed:\n${setup.stdout}\n${setup.stderr}`)
const peerDir = setup.stdout.trim().split('\n').at(-1)!
const workDir = mkdtempSync(join(tmpdir(), 'tasklane-peer-bench-'))

interface Target {
  name: 'tasklane' | 'peer'
  url: string
  pid: number
  stop(): Promise<void>
}

async function startPeer(port: number): Promise<Target> {
  // its JSON request log (a line per request, as in production) goes to a file, as in its bench.mjs
  const fd = openSync(join(workDir, 'peer.log'), 'w')
  const child = spawn(process.execPath, ['dist/server.js'], {
    cwd: peerDir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      PORT: String(port),
      // its limiter (100/min per IP) would refuse nearly all bench traffic; it still runs per request
      RATE_LIMIT_MAX: '1000000000',
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/capstone_peer',
      REDIS_URL: redisUrl,
      JWT_ACCESS_SECRET: randomBytes(32).toString('hex'),
      JWT_REFRESH_SECRET: randomBytes(32).toString('hex'),
    },
    stdio: ['ignore', fd, fd],
  })
  closeSync(fd)
  const url = `http://127.0.0.1:${port}`
  await waitHealthy(url, child, () => readFileSync(join(workDir, 'peer.log'), 'utf8').slice(-8_000), '/health')
  return { name: 'peer', url, pid: child.pid!, stop: stopper(child) }
}

async function call<T>(url: string, method: string, path: string, token: string | undefined, body?: unknown) {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(url + path, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await res.text()
    // Tasklane sheds load with 503 + Retry-After while its event loop lags (a loaded machine, start-up)
    if (res.status === 503 && attempt < 10) {
      await new Promise((r) => setTimeout(r, 1_000 * Number(res.headers.get('retry-after') ?? 1)))
      continue
    }
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`)
    return JSON.parse(text) as T
  }
}

/** The API differences of the two servers, behind one shape. */
interface Api {
  register(email: string): Promise<string>
  create(token: string, i: number): Promise<{ id: string; projectId?: string }>
  list(ids: string[], projectId?: string): string
  get(id: string): string
  createReq(i: number): { path: string; body: string }
}
const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const
const due = (i: number) => new Date(Date.UTC(2027, 0, 1 + (i % 28))).toISOString()

const tasklaneApi = (url: string): Api => ({
  register: async (email) =>
    (
      await call<{ accessToken: string }>(url, 'POST', '/api/v1/auth/register', undefined, {
        email,
        password: `Bench ${randomUUID()}`,
        name: 'Bench User',
      })
    ).accessToken,
  create: (token, i) =>
    call(url, 'POST', '/api/v1/tasks', token, {
      title: `Task ${i + 1}`,
      description: `Description of task ${i + 1}, created by the benchmark`,
      priority: PRIORITIES[i % 4],
      dueAt: due(i),
    }),
  list: (_ids, projectId) => `/api/v1/tasks?projectId=${projectId}&limit=20`,
  get: (id) => `/api/v1/tasks/${id}`,
  createReq: (i) => ({
    path: '/api/v1/tasks',
    body: JSON.stringify({ title: `Bench task ${i}`, description: 'Created by autocannon', priority: 'high' }),
  }),
})

const peerApi = (url: string): Api => ({
  register: async (email) =>
    (
      await call<{ accessToken: string }>(url, 'POST', '/api/auth/register', undefined, {
        email,
        password: 'Password123',
        name: 'Bench User',
      })
    ).accessToken,
  create: (token, i) =>
    call(url, 'POST', '/api/tasks', token, {
      title: `Task ${i + 1}`,
      description: `Description of task ${i + 1}, created by the benchmark`,
      priority: PRIORITIES[i % 4]!.toUpperCase(),
      dueDate: due(i),
    }),
  list: () => '/api/tasks?page=1&limit=20',
  get: (id) => `/api/tasks/${id}`,
  createReq: (i) => ({
    path: '/api/tasks',
    body: JSON.stringify({ title: `Bench task ${i}`, description: 'Created by autocannon', priority: 'HIGH' }),
  }),
})

/** A reader with 200 tasks in its Inbox (created 10 at a time, as the peer's bench does) and a writer. */
async function world(target: Target, api: Api): Promise<Record<string, Workload>> {
  const stamp = `${Date.now()}-${randomUUID().slice(0, 8)}`
  const reader = await api.register(`peer-bench-${stamp}@bench.tasklane.test`)
  const writer = await api.register(`peer-bench-w-${stamp}@bench.tasklane.test`)
  const ids: string[] = []
  let projectId: string | undefined
  for (let i = 0; i < TASKS; i += 10) {
    const batch = await Promise.all(Array.from({ length: 10 }, (_, j) => api.create(reader, i + j)))
    ids.push(...batch.map((t) => t.id))
    projectId ??= batch[0]!.projectId
  }
  let n = 0
  const auth = (token: string) => ({ authorization: `Bearer ${token}` })
  const read = (name: string, path: () => string): Workload => ({
    name,
    needs: [],
    reference: false,
    expected: [],
    next: (): Req => ({ method: 'GET', path: path(), headers: auth(reader) }),
  })
  log(`${target.name}: 200 tasks seeded at ${target.url}`)
  return {
    list: read('list', () => api.list(ids, projectId)),
    get: read('get', () => api.get(ids[n++ % ids.length]!)),
    create: {
      name: 'create',
      needs: [],
      reference: false,
      expected: [],
      next: (): Req => {
        const r = api.createReq(n++)
        return {
          method: 'POST',
          path: r.path,
          headers: { ...auth(writer), 'content-type': 'application/json' },
          body: r.body,
        }
      },
    },
  }
}

const compiledDir = values.compiled ? buildApp() : undefined
const [appPort, peerPort] = [await freePort(), await freePort()]
const targets: Target[] = []
const stopAll = () => Promise.all(targets.map((t) => t.stop()))
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)))

interface Run {
  workload: string
  target: Target['name']
  round: number
  m: Measurement
  load: number
}
try {
  const app = await startServer(
    'app',
    appPort,
    {
      databaseUrl,
      dataDir: join(workDir, 'data'),
      jwtSecret: randomBytes(48).toString('base64url'),
      // the bench signs its users up itself (production's default is invite-only)
      extra: {
        REDIS_URL: redisUrl,
        REGISTRATION: 'open',
        ...(values['no-list-cache'] ? { LIST_CACHE_MAX_BYTES: '0' } : {}),
      },
    },
    values.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(BENCH_DIR, 'results', 'profiles', 'peer-app')}`] : [],
    compiledDir,
  )
  targets.push({ name: 'tasklane', url: app.url, pid: app.pid, stop: app.stop })
  targets.push(await startPeer(peerPort))
  const [tasklane, peer] = targets as [Target, Target]
  const work = {
    tasklane: await world(tasklane, tasklaneApi(tasklane.url)),
    peer: await world(peer, peerApi(peer.url)),
  }

  // 2. interleaved: each workload on both servers back to back, the first of the pair alternating per round
  const runs: Run[] = []
  for (let round = 1; round <= rounds; round++) {
    for (const name of only) {
      const pair = round % 2 ? [tasklane, peer] : [peer, tasklane]
      for (const t of pair) {
        const w = work[t.name][name]
        if (!w) throw new Error(`unknown workload ${name}`)
        if (warmup > 0) await drive(t.url, w, { connections, duration: warmup })
        const m = await drive(t.url, w, { connections, duration, rss: () => rssMbOf(t.pid) })
        const load = loadavg()[0]!
        runs.push({ workload: name, target: t.name, round, m, load })
        log(
          `${name.padEnd(7)} ${t.name.padEnd(8)} round ${round}: ${m.reqPerSec} req/s (${JSON.stringify(m.statuses)}), p50 ${m.p50} ms, p99 ${m.p99} ms, ` +
            `non-2xx ${m.unexpected}, errors ${m.errors}, RSS ${m.rssMaxMb} MB, load ${load.toFixed(1)}`,
        )
      }
    }
  }

  // 3. report: medians over the rounds, and the ratio of each round's pair, in answered requests
  // (2xx) per second: a 503 that sheds load or a timeout is no request served
  const okPerSec = (m: Measurement) =>
    Math.round(
      Object.entries(m.statuses)
        .filter(([code]) => code.startsWith('2'))
        .reduce((sum, [, n]) => sum + n, 0) / duration,
    )
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!
  const lines = [
    '| workload | Tasklane 2xx/s | peer 2xx/s | Tasklane ÷ peer (median) | per round | Tasklane p50 / p99 ms | peer p50 / p99 ms | non-2xx / errors |',
    '| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |',
  ]
  for (const name of only) {
    const of = (t: Target['name']) => runs.filter((r) => r.workload === name && r.target === t)
    const [a, p] = [of('tasklane'), of('peer')]
    const ratios = a.map((r, i) => okPerSec(r.m) / (p[i] ? okPerSec(p[i].m) : Number.NaN))
    const mid = (rs: Run[]) => rs.find((r) => okPerSec(r.m) === median(rs.map((x) => okPerSec(x.m))))!.m
    const bad = [...a, ...p].reduce((s, r) => s + r.m.unexpected + r.m.errors, 0)
    lines.push(
      `| ${name} | ${median(a.map((r) => okPerSec(r.m)))} | ${median(p.map((r) => okPerSec(r.m)))} | **${median(ratios).toFixed(2)}×** | ${ratios.map((x) => x.toFixed(2)).join(', ')} | ${mid(a).p50} / ${mid(a).p99} | ${mid(p).p50} / ${mid(p).p99} | ${bad} |`,
    )
  }
  const loads = runs.map((r) => r.load)
  const header = `Tasklane (production mode, ${compiledDir ? 'compiled' : 'tsx'}${values['no-list-cache'] ? ', list cache off' : ''}) beside the capstone peer, PostgreSQL + Redis, ${connections} connections, ${duration} s runs after ${warmup} s warm-up, ${rounds} interleaved round(s), ${TASKS} tasks in one Inbox; ${cpus().length} cores, Node ${process.version}; load average ${Math.min(...loads).toFixed(0)}–${Math.max(...loads).toFixed(0)} during the runs`
  const text = `${header}\n\n${lines.join('\n')}\n`
  process.stdout.write(`\n${text}\n`)
  const dir = join(BENCH_DIR, 'results')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-peer.json`)
  writeFileSync(file, JSON.stringify({ header, connections, duration, warmup, rounds, runs }, null, 2))
  log(`results: ${file}`)
  if (runs.some((r) => r.m.unexpected || r.m.errors)) process.exitCode = 1
} finally {
  await stopAll()
  rmSync(workDir, { recursive: true, force: true })
}
