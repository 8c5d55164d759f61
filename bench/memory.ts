// npx tsx bench/memory.ts [--only get,list,mix --duration 15 --app-node-flags=… --env K=V,… --dist DIR]
//
// What the compiled app's resident memory is made of under load: starts dist/cli.js serve (build it
// first: npm run build) with the node running this script (PATH decides: the image's Node 24), on
// DATABASE_URL's bench world (npm run bench seeds it), and during each workload samples VmRSS and the
// app's /metrics (V8's spaces, external memory). Prints, per workload, req/s and the figures at the
// sample of highest RSS, after start, after the logins and at the end.
import { randomBytes } from 'node:crypto'
import { loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort } from '../test/private-services.ts'
import { drive } from './lib/drive.ts'
import { loginAll } from './lib/login.ts'
import { BENCH_DIR, commonOptions, embeddedDataDir } from './lib/options.ts'
import { imageNodeFlags, startServer } from './lib/servers.ts'
import { type Session, workloads } from './lib/workloads.ts'
import { prepareWorld } from './lib/world.ts'

const { size, seed, databaseUrl, values } = commonOptions(process.argv.slice(2), {
  only: { type: 'string', default: 'get,list,mix' },
  duration: { type: 'string', default: '15' },
  warmup: { type: 'string', default: '3' },
  connections: { type: 'string', default: '50' },
  // node options for the app (one string; `--app-node-flags=` for none); by default the Docker image's
  'app-node-flags': { type: 'string' },
  // extra environment for the app: K=V,K=V
  env: { type: 'string', default: '' },
  // the compiled app to run (another build: scripts/build.mjs --out-dir DIR, inside this tree)
  dist: { type: 'string', default: join(BENCH_DIR, '..', 'dist') },
})
const log = (line: string) => process.stderr.write(`${line}\n`)
const users = await prepareWorld(databaseUrl, size, seed, log)
const extra = Object.fromEntries(
  String(values.env)
    .split(',')
    .filter(Boolean)
    .map((kv) => kv.split('=') as [string, string]),
)
const app = await startServer(
  'app',
  await freePort(),
  { databaseUrl, dataDir: embeddedDataDir(size), jwtSecret: randomBytes(48).toString('base64url'), extra },
  values['app-node-flags'] === undefined
    ? imageNodeFlags()
    : String(values['app-node-flags']).split(' ').filter(Boolean),
  resolve(String(values.dist)),
)

const MB = 1024 * 1024
/** The app's memory as /metrics tells it, in MB. */
async function snapshot(): Promise<Record<string, number>> {
  const text = await (await fetch(`${app.url}/metrics`)).text()
  const out: Record<string, number> = { rss: app.rssMb() }
  for (const line of text.split('\n')) {
    const m =
      /^(nodejs_heap_space_size_(used|total)_bytes\{space="(\w+)"\}|nodejs_external_memory_bytes|nodejs_heap_size_(used|total)_bytes|tasklane_list_cache_bytes)\s+([\d.e+]+)/.exec(
        line,
      )
    if (!m) continue
    const key = m[3] ? `${m[3]}.${m[2]}` : m[1]!.replace(/^nodejs_|_bytes$/g, '')
    out[key] = Number(m[5]) / MB
  }
  return out
}
const show = (label: string, s: Record<string, number>) => {
  const f = (k: string) => (s[k] ?? 0).toFixed(0)
  log(
    `${label.padEnd(22)} RSS ${f('rss')} | heap used ${f('heap_size_used')} of ${f('heap_size_total')}` +
      ` (new ${f('new.used')}/${f('new.total')}, old ${f('old.used')}/${f('old.total')}, code ${f('code.used')}/${f('code.total')},` +
      ` large ${f('large_object.used')}/${f('large_object.total')}) | external ${f('external_memory')}` +
      ` | list cache ${f('tasklane_list_cache')} | rest ${(s.rss! - (s.heap_size_total ?? 0) - (s.external_memory ?? 0)).toFixed(0)}`,
  )
}

try {
  show('started', await snapshot())
  const tokens = await loginAll(app.url, users)
  show('after 50 logins', await snapshot())
  const session: Session = {
    users: users.map((u, i) => ({ ...u, token: tokens[i]! })),
    versions: new Map(),
    inFlight: new Set(),
  }
  const all = workloads(session, true)
  for (const name of String(values.only).split(',')) {
    const w = all.find((x) => x.name === name)!
    await drive(app.url, w, { connections: Number(values.connections), duration: Number(values.warmup) })
    let peak: Record<string, number> = { rss: 0 }
    let sampling = true
    const sampler = (async () => {
      while (sampling) {
        const s = await snapshot().catch(() => undefined)
        if (s && s.rss! > peak.rss!) peak = s
        await new Promise((r) => setTimeout(r, 500))
      }
    })()
    const m = await drive(app.url, w, {
      connections: Number(values.connections),
      duration: Number(values.duration),
      rss: app.rssMb,
    })
    sampling = false
    await sampler
    log(
      `${name}: ${m.reqPerSec} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, RSS max ${m.rssMaxMb} MB, avg ${m.rssAvgMb} MB, ` +
        `load ${loadavg()[0]!.toFixed(1)}`,
    )
    show(`  at its highest RSS`, peak)
  }
  show('at the end', await snapshot())
} finally {
  await app.stop()
}
