// npm run bench [-- --size small|large|huge --seed 42 --duration 20 --warmup 5 --rounds 2 --only list,get --profile]
// npm run bench -- --compare-caches   (also list, get and get with personal access tokens, auth caches on and off)
// npm run bench -- --peer   (beside the capstone peer in ../shared/peers/capstone: list, get, create ratios; bench/peer.ts)
// npm run bench -- --smoke   (a few seconds of load: keeps the script working in CI)
// npm run bench -- --startup [--compiled]   (only the start-up times: first start and restarts)
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { freePort } from '../test/private-services.ts'
import { drive, type Measurement } from './lib/drive.ts'
import { loginAll } from './lib/login.ts'
import { BENCH_DIR, commonOptions, embeddedDataDir, SIZES } from './lib/options.ts'
import { paced } from './lib/paced.ts'
import { cacheTable, type Row, summarise, table } from './lib/report.ts'
import { buildApp, imageNodeFlags, type Server, type ServerEnv, startServer } from './lib/servers.ts'
import { measureStartup, startupTable } from './lib/startup.ts'
import { referenceMix, type Session, type Workload, workloads } from './lib/workloads.ts'
import { prepareWorld } from './lib/world.ts'

// --peer: Tasklane beside the capstone peer instead (bench/peer.ts)
if (process.argv.includes('--peer')) {
  await import('./peer.ts')
  process.exit()
}

const { size, seed, databaseUrl, values } = commonOptions(process.argv.slice(2), {
  smoke: { type: 'boolean' },
  duration: { type: 'string', default: '20' },
  warmup: { type: 'string', default: '5' },
  rounds: { type: 'string', default: '2' },
  connections: { type: 'string', default: '50' },
  only: { type: 'string' },
  profile: { type: 'boolean' },
  'no-extra': { type: 'boolean' },
  // list, get and get with personal access tokens again, with the per-request auth caches on and off
  'compare-caches': { type: 'boolean' },
  // run the app compiled to JavaScript with plain node rather than through tsx (as the Dockerfile does)
  compiled: { type: 'boolean' },
  // node options for the app's process (one string; `--app-node-flags=` for none); with --compiled
  // by default the Docker image's (its NODE_OPTIONS and CMD), as it is deployed
  'app-node-flags': { type: 'string' },
  // only the start-up times (every run prints them first)
  startup: { type: 'boolean' },
})
const smoke = values.smoke === true
// --smoke: about 5 s of load in all (CI keeps the script working with it; the numbers mean nothing)
const duration = smoke ? 0.5 : Number(values.duration)
const warmup = smoke ? 0 : Number(values.warmup)
const rounds = smoke ? 1 : Number(values.rounds)
const connections = smoke ? 10 : Number(values.connections)
const only = typeof values.only === 'string' ? values.only.split(',') : undefined
const embedded = !databaseUrl
const log = (line: string) => process.stderr.write(`${line}\n`)

// 0. start-up: first start and restarts on an empty embedded database (the source through tsx; the
// compiled build with --compiled; --smoke: one restart, one of the two)
const compiledDir = values.compiled ? buildApp() : undefined
const startup = await measureStartup({
  compiledDir,
  source: !(smoke && compiledDir),
  restarts: smoke ? 1 : 2,
})
const startupText = startupTable(startup)
log(startupText)
if (values.startup) {
  process.stdout.write(`\n${startupText}\n`)
  process.exit(0)
}

// 1. data: seed when the database holds no bench world of this size
const dataDir = embeddedDataDir(size)
const users = await prepareWorld(databaseUrl, size, seed, log)

// 2. servers: the app in production mode and the bare reference on the same database
const env: ServerEnv = { databaseUrl, dataDir, jwtSecret: randomBytes(48).toString('base64url') }
const resultsDir = join(BENCH_DIR, 'results')
mkdirSync(resultsDir, { recursive: true })
// --profile: V8 CPU profiles of both servers (bench/results/profiles/<target>/), read with bench/profile.ts
const profileFlags = (name: string) =>
  values.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(resultsDir, 'profiles', name)}`] : []
const appNodeFlags =
  values['app-node-flags'] !== undefined
    ? String(values['app-node-flags']).split(' ').filter(Boolean)
    : compiledDir
      ? imageNodeFlags()
      : []

const ports: Record<Server['name'], number> = {
  app: await freePort(),
  'app-uncached': await freePort(),
  reference: await freePort(),
}
const running: Partial<Record<Server['name'], Server>> = {}

/** Starts a target; on the embedded database (one process at a time) stops the others first. */
async function ensure(name: Server['name']): Promise<Server> {
  for (const other of Object.keys(running) as Server['name'][]) {
    if (!embedded || other === name) continue
    await running[other]!.stop()
    delete running[other]
  }
  running[name] ??= await startServer(
    name,
    ports[name],
    env,
    [...(name === 'reference' ? [] : appNodeFlags), ...profileFlags(name)],
    compiledDir,
  )
  return running[name]!
}
const stopAll = async () => {
  for (const s of Object.values(running)) await s?.stop()
}
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)))

try {
  const app = await ensure('app')
  const tokens = await loginAll(app.url, users)
  const session: Session = {
    users: users.map((u, i) => ({ ...u, token: tokens[i]! })),
    versions: new Map(),
    inFlight: new Set(),
  }
  const paths = new Set(
    Object.keys(((await (await fetch(`${app.url}/openapi.json`)).json()) as { paths: object }).paths),
  )
  const all = workloads(session, paths.has('/api/v1/dashboard/metrics'))
  const notes: Record<string, string> = {}
  const chosen = all.filter((w) => {
    if (only && !only.includes(w.name)) return false
    const missing = w.needs.filter((p) => !paths.has(p))
    if (missing.length) notes[w.name] = `skipped: the app has no ${missing.join(', ')}`
    return !missing.length
  })
  if (!paths.has('/api/v1/dashboard/metrics')) notes.mix = 'no dashboard route yet: its 4 % went to get'

  const refOf = (w: Workload) => (w.name === 'mix' ? referenceMix(session) : w.reference ? w : undefined)

  // 3. the two servers must give the same answers, or the ratio compares different work
  const u = session.users[0]!
  const probes = [`/api/v1/tasks?teamId=${u.teamId}&limit=20`, `/api/v1/tasks/${u.taskIds[0]}`]
  const answers = async (s: Server) =>
    Promise.all(
      probes.map(async (p) =>
        (await fetch(`${s.url}${p}`, { headers: { authorization: `Bearer ${u.token}` } })).json(),
      ),
    )
  const appAnswers = await answers(app)
  let parityChecked = false
  const failures: string[] = []
  const checkParity = async (ref: Server) => {
    if (parityChecked) return
    parityChecked = true
    const refAnswers = await answers(ref)
    probes.forEach((p, i) => {
      if (!isDeepStrictEqual(appAnswers[i], refAnswers[i])) {
        log(`WARNING: app and reference answer ${p} differently`)
        failures.push(`parity: ${p}`)
      }
    })
  }

  // before any write workload changes what the probes return
  if (chosen.some((w) => refOf(w))) await checkParity(await ensure('reference'))

  // 4. the runs: each workload for a fixed duration after a warm-up, app and reference interleaved
  const rows: Row[] = []
  const run = async (w: Workload, target: Server['name'], round: number, into = rows) => {
    const server = await ensure(target)
    if (warmup > 0) await drive(server.url, w, { connections, duration: warmup })
    const m = await drive(server.url, w, { connections, duration, rss: server.rssMb })
    into.push({ workload: w.name, target, round, m })
    log(
      `${w.name.padEnd(9)} ${target.padEnd(9)} round ${round}: ${m.reqPerSec} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, ` +
        `errors ${m.errors}, unexpected ${m.unexpected}, RSS ${m.rssMaxMb} MB`,
    )
    if (m.unexpected) log(`          statuses ${JSON.stringify(m.statuses)}`)
    if (m.unexpected || m.errors) failures.push(`${w.name} on ${target}`)
    if (!m.requests) log(`          no answer within the run (the embedded database answers slowly while it warms up)`)
  }
  for (let round = 1; round <= rounds; round++) {
    if (embedded) {
      // one process may hold the embedded database: all app runs, then all reference runs
      for (const w of chosen) await run(w, 'app', round)
      for (const w of chosen) if (refOf(w)) await run(refOf(w)!, 'reference', round)
    } else {
      for (const w of chosen) {
        await run(w, 'app', round)
        if (refOf(w)) await run(refOf(w)!, 'reference', round)
      }
    }
  }

  // 4b. --compare-caches: what the per-request auth caches (user state; token lookups) gain, by
  // running list and get (session tokens) and get with personal access tokens on a second app
  // instance with AUTH_CACHE_TTL=0, interleaved with the default one
  const cacheRows: Row[] = []
  if (values['compare-caches']) {
    const patSession: Session = { ...session, users: await withPersonalTokens((await ensure('app')).url, session) }
    const patGet = workloads(patSession, false).find((w) => w.name === 'get')!
    const cases = [...all.filter((w) => w.name === 'list' || w.name === 'get'), { ...patGet, name: 'get (PAT)' }]
    for (let round = 1; round <= rounds; round++) {
      for (const w of cases) {
        await run(w, 'app', round, cacheRows)
        await run(w, 'app-uncached', round, cacheRows)
      }
    }
  }

  const shown = all.filter((w) => chosen.includes(w) || (notes[w.name] && !only)).map((w) => w.name)
  const summaries = summarise(rows, shown, notes)

  // 5. latency at half the maximum rate, and overload at twice it (shed with 503, not queued)
  const extra: { name: string; rate: number; connections: number; m: Measurement }[] = []
  if (!smoke && !values['no-extra']) {
    for (const s of summaries.filter((x) => (x.workload === 'list' || x.workload === 'get') && x.app)) {
      const w = chosen.find((c) => c.name === s.workload)!
      const server = await ensure('app')
      const rate = Math.round(s.app!.reqPerSec / 2)
      // open loop: autocannon's rate limit bursts each second's quota, which measures the burst
      const p = await paced(server.url, w, rate, duration)
      const m = { ...s.app!, reqPerSec: p.achieved, p50: p.p50, p99: p.p99, p999: 0, statuses: p.statuses }
      extra.push({ name: `${w.name} at half max (open loop)`, rate, connections: 64, m })
      log(`${w.name} at ${rate} req/s: p50 ${p.p50} ms, p99 ${p.p99} ms`)
    }
    const get = summaries.find((x) => x.workload === 'get')
    if (get?.app) {
      const w = chosen.find((c) => c.name === 'get')!
      const server = await ensure('app')
      const rate = get.app.reqPerSec * 2
      const m = await drive(server.url, w, {
        connections: connections * 8,
        duration,
        overallRate: rate,
        rss: server.rssMb,
      })
      extra.push({ name: 'get overload (2× max)', rate, connections: connections * 8, m })
      log(`overload at ${rate} req/s: ${JSON.stringify(m.statuses)}, p99 ${m.p99} ms`)
    }
  }

  // 6. report
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}`
  const db = embedded ? 'embedded PGlite' : 'PostgreSQL'
  const header = `${size} (${SIZES[size].tasks.toLocaleString('en')} tasks, seed ${seed}) on ${db}; ${connections} connections, ${duration} s runs after ${warmup} s warm-up, ${rounds} round(s) interleaved; app ${compiledDir ? 'compiled to JavaScript' : 'TypeScript through tsx'}; ${machine}`
  const extraTable = extra.length
    ? [
        '',
        '| run | rate req/s | connections | achieved req/s | p50 ms | p99 ms | statuses |',
        '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
        ...extra.map(
          (e) =>
            `| ${e.name} | ${e.rate} | ${e.connections} | ${e.m.reqPerSec} | ${e.m.p50} | ${e.m.p99} | ${Object.entries(
              e.m.statuses,
            )
              .map(([c, n]) => `${c}: ${n}`)
              .join(', ')} |`,
        ),
      ].join('\n')
    : ''
  const noteLines = Object.entries(notes).map(([w, n]) => `- ${w}: ${n}`)
  const cachesText = cacheRows.length
    ? `\nPer-request auth caches on (AUTH_CACHE_TTL=30) and off (0):\n\n${cacheTable(cacheRows)}\n`
    : ''
  const text = `${header}\n\n${startupText}\n\n${table(summaries)}\n${extraTable}\n${cachesText}${noteLines.length ? `\n${noteLines.join('\n')}\n` : ''}`
  process.stdout.write(`\n${text}\n`)
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const file = join(resultsDir, `${stamp}-${size}${smoke ? '-smoke' : ''}.json`)
  writeFileSync(
    file,
    JSON.stringify(
      {
        size,
        seed,
        database: db,
        machine,
        compiled: Boolean(compiledDir),
        connections,
        duration,
        warmup,
        rounds,
        summaries,
        extra,
        caches: cacheRows,
        startup,
        runs: rows,
        notes,
      },
      null,
      2,
    ),
  )
  log(`results: ${file}`)
  // the smoke run is CI's check that the bench still works: any failed request fails it
  if (smoke && failures.length) {
    log(`smoke failed: ${failures.join(', ')}`)
    process.exitCode = 1
  }
} finally {
  await stopAll()
}

/** The bench users with a personal access token (tasks:read) each in place of their session token. */
async function withPersonalTokens(url: string, s: Session): Promise<Session['users']> {
  return Promise.all(
    s.users.map(async (u) => {
      const res = await fetch(`${url}/api/v1/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'bench', scopes: ['tasks:read'] }),
      })
      if (!res.ok) throw new Error(`token for ${u.email}: ${res.status} ${await res.text()}`)
      return { ...u, token: ((await res.json()) as { secret: string }).secret }
    }),
  )
}
