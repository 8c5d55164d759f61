// npm run soak [-- --minutes 10 --warmup 60 --probe 20 --size small]
// A long mixed load (the bench's `mix`: get, list, search, update, create, comment, dashboard) at
// half the maximum rate the app reaches on it, on the bench world (DATABASE_URL, or the embedded
// database). Prints RSS after the warm-up and at the end, and the 5xx count; exits 1 when RSS grew
// more than 10 %, or when a request got a 500 (a 503 is the instance shedding load: counted, allowed).
import { randomBytes } from 'node:crypto'
import { freePort } from '../test/private-services.ts'
import { drive } from './lib/drive.ts'
import { loginAll } from './lib/login.ts'
import { commonOptions, embeddedDataDir } from './lib/options.ts'
import { paced } from './lib/paced.ts'
import { startServer } from './lib/servers.ts'
import type { Session } from './lib/workloads.ts'
import { workloads } from './lib/workloads.ts'
import { prepareWorld } from './lib/world.ts'

const MAX_GROWTH = 0.1
// RSS is sampled every second; each figure is the median of this many samples (GC makes single ones jumpy)
const WINDOW_S = 30

const { size, seed, databaseUrl, values } = commonOptions(process.argv.slice(2), {
  minutes: { type: 'string', default: '10' },
  warmup: { type: 'string', default: '60' },
  probe: { type: 'string', default: '20' },
})
const minutes = Number(values.minutes)
const warmupS = Number(values.warmup)
const probeS = Number(values.probe)
const log = (line: string) => process.stderr.write(`${line}\n`)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

const users = await prepareWorld(databaseUrl, size, seed, log)
const app = await startServer('app', await freePort(), {
  databaseUrl,
  dataDir: embeddedDataDir(size),
  jwtSecret: randomBytes(48).toString('base64url'),
})
process.on('SIGINT', () => void app.stop().then(() => process.exit(130)))
try {
  const tokens = await loginAll(app.url, users)
  const session: Session = {
    users: users.map((u, i) => ({ ...u, token: tokens[i]! })),
    versions: new Map(),
    inFlight: new Set(),
  }
  const mix = workloads(session, true).find((w) => w.name === 'mix')!

  // the maximum: as fast as the app answers over 50 connections, once warm (the first seconds are slow)
  await drive(app.url, mix, { connections: 50, duration: probeS })
  const max = await drive(app.url, mix, { connections: 50, duration: probeS })
  const rate = Math.max(1, Math.round(max.reqPerSec / 2))
  log(`maximum ${max.reqPerSec} req/s on mix (${probeS} s); soaking at ${rate} req/s`)

  // one clock for RSS: a sample a second, from the warm-up's start to the end
  const samples: { at: number; mb: number }[] = []
  const started = Date.now()
  const sampler = setInterval(() => samples.push({ at: (Date.now() - started) / 1000, mb: app.rssMb() }), 1000)
  const warm = await paced(app.url, mix, rate, warmupS)
  const soak = await paced(app.url, mix, rate, minutes * 60)
  clearInterval(sampler)

  // "start" is the first WINDOW_S seconds after the warm-up, "end" the last WINDOW_S seconds
  const after = samples.filter((s) => s.at >= warmupS)
  const startMb = median(after.filter((s) => s.at < warmupS + WINDOW_S).map((s) => s.mb))
  const endMb = median(after.filter((s) => s.at >= samples.at(-1)!.at - WINDOW_S).map((s) => s.mb))
  const growth = startMb ? endMb / startMb - 1 : 0
  const fivesOf = (statuses: Record<string, number>, shed: boolean) =>
    Object.entries(statuses)
      .filter(([code]) => Number(code) >= 500 && (code === '503') === shed)
      .reduce((n, [, c]) => n + c, 0)
  const fives = fivesOf(soak.statuses, false)
  const shed = fivesOf(soak.statuses, true)
  const noAnswer = soak.statuses.error ?? 0
  console.log(
    [
      `soak: ${minutes} min of mix at ${rate} req/s (half of ${max.reqPerSec}) on ${databaseUrl ? 'PostgreSQL' : 'the embedded database'} (${size}), after ${warmupS} s of warm-up at that rate`,
      `achieved ${soak.achieved} req/s, p50 ${soak.p50} ms, p99 ${soak.p99} ms; statuses ${JSON.stringify(soak.statuses)}`,
      `RSS (median of ${WINDOW_S} s windows): ${startMb.toFixed(0)} MB after the warm-up, ${endMb.toFixed(0)} MB at the end (${(growth * 100).toFixed(1)} %); max ${Math.max(...samples.map((s) => s.mb)).toFixed(0)} MB`,
      `5xx: ${fives + shed} during the soak (${shed} of them 503, load shed; ${fivesOf(warm.statuses, false) + fivesOf(warm.statuses, true)} during the warm-up); no answer: ${noAnswer}`,
    ].join('\n'),
  )
  const failures = [
    growth > MAX_GROWTH && `RSS grew ${(growth * 100).toFixed(1)} % (more than ${MAX_GROWTH * 100} %)`,
    fives > 0 && `${fives} requests answered a 5xx other than 503`,
    noAnswer > 0 && `${noAnswer} requests got no answer`,
  ].filter(Boolean)
  if (failures.length) {
    console.log(`FAILED: ${failures.join('; ')}`)
    process.exitCode = 1
  }
} finally {
  await app.stop()
}
