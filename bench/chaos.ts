/**
 * npm run chaos [-- --short]: faults under a write load, on a PostgreSQL and a Redis of its own
 * (spare ports; the shared ones are never touched). Two API instances and a worker run as real
 * processes; a client load of keyed creates, plain creates and reads goes on throughout while, in
 * turn, PostgreSQL is stopped fast and immediately, Redis is killed, an API instance and the worker
 * are SIGKILLed and an instance is SIGTERMed, each started again. Then the unacknowledged keyed
 * creates are retried, and every create is looked up. Exits 1 when an acknowledged write is missing,
 * a create is doubled, a 500 was answered, a process exited by itself, writes were not served again
 * within 10 s of the database's return, or the worker's log dispatch did not catch up afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { registerAccount } from '../test/load.ts'
import { freePort, startPrivatePostgres, startPrivateRedis } from '../test/private-services.ts'
import { killClis } from '../test/spawn.ts'
import { apiInstance, type Proc, workerProcess } from './chaos/processes.ts'
import { describePhase, type Phase, seconds, table, verify } from './chaos/report.ts'
import { isAck, retryKeyed, startTraffic, type Traffic } from './chaos/traffic.ts'

// the issue's bound: writes are served again this soon after the database is back
const DB_RECOVERY_MS = 10_000

const { values } = parseArgs({ options: { short: { type: 'boolean', default: false } } })
const plan = values.short
  ? { concurrency: 8, accounts: 4, warmUpMs: 3_000, downMs: 2_000, settleMs: 3_000, retryMs: 150_000 }
  : { concurrency: 16, accounts: 8, warmUpMs: 15_000, downMs: 5_000, settleMs: 10_000, retryMs: 180_000 }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Resolves with how long after `since` the instance at `base` acknowledged a write, or undefined. */
async function firstWrite(traffic: Traffic, base: string, since: number, timeoutMs = 60_000) {
  let scanned = 0
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    const outcomes = traffic.outcomes
    for (; scanned < outcomes.length; scanned++) {
      const o = outcomes[scanned]!
      if (o.kind === 'create' && o.target === base && o.endedAt >= since && isAck(o)) return o.endedAt - since
    }
    await sleep(50)
  }
  return undefined
}

async function readyWithRedis(base: string, since: number, timeoutMs = 60_000) {
  while (Date.now() < since + timeoutMs) {
    const body = await fetch(`${base}/ready`).then(
      (r) => r.json() as Promise<{ checks?: Record<string, string> }>,
      () => ({ checks: {} as Record<string, string> }),
    )
    if (body.checks?.redis === 'ok') return Date.now() - since
    await sleep(100)
  }
  return undefined
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'tasklane-chaos-'))
  const postgres = await startPrivatePostgres()
  const redis = await startPrivateRedis()
  const procs: Proc[] = []
  const cleanUp = async () => {
    killClis()
    await redis.destroy()
    await postgres.destroy()
    rmSync(dataDir, { recursive: true, force: true })
  }
  // interrupted: the cluster and redis-server are ours to remove
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanUp().finally(() => process.exit(130)))
  }
  try {
    const admin = new pg.Client({ connectionString: postgres.url })
    await admin.connect()
    await admin.query('create database chaos')
    await admin.end()
    const databaseUrl = postgres.url.replace(/\/postgres$/, '/chaos')
    const env = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      JWT_SECRET: 'chaos-secret-chaos-secret-chaos-secret-0123',
      REGISTRATION: 'open',
      RATE_LIMIT_ENABLED: 'false',
      ACCESS_TOKEN_TTL: '86400',
    }
    const api1 = apiInstance('api-1', await freePort(), env)
    const api2 = apiInstance('api-2', await freePort(), env)
    const worker = workerProcess('worker', env)
    procs.push(api1, api2, worker)
    console.log(`PostgreSQL ${postgres.url}, Redis ${redis.url}; starting two API instances and a worker…`)
    await api1.start() // migrates first
    await Promise.all([api2.start(), worker.start()])
    const bases = [api1.base!, api2.base!]
    const accounts = []
    for (let i = 0; i < plan.accounts; i++) accounts.push(await registerAccount(bases[i % 2]!, `chaos${i}`))

    const traffic = startTraffic(bases, accounts, plan.concurrency)
    const phases: Phase[] = []
    const phase = async (name: string, run: (p: Phase) => Promise<void>) => {
      const p: Phase = { name, fault: name !== 'warm-up', note: '', failures: [] }
      phases.push(p)
      traffic.setPhase(name)
      console.log(`${name}…`)
      await run(p)
      await sleep(plan.settleMs)
    }
    const databaseRestart = (mode: 'fast' | 'immediate') => async (p: Phase) => {
      await postgres.stop(mode)
      await sleep(plan.downMs)
      await postgres.start()
      const back = Date.now()
      const each = await Promise.all(bases.map((b) => firstWrite(traffic, b, back)))
      p.recoveryMs = each.some((ms) => ms === undefined) ? undefined : Math.max(...(each as number[]))
      p.note = `down ${seconds(plan.downMs)}; writes served again after ${each.map(seconds).join(' and ')} (api-1, api-2) of the database's return`
      if (p.recoveryMs === undefined || p.recoveryMs > DB_RECOVERY_MS) {
        p.failures.push(`writes not served again within ${seconds(DB_RECOVERY_MS)} of the database's return`)
      }
    }
    const restart = (proc: Proc, signal: 'SIGKILL' | 'SIGTERM') => async (p: Phase) => {
      const code = await proc.stop(signal)
      await sleep(plan.downMs)
      const began = Date.now()
      const startMs = await proc.start()
      p.recoveryMs = proc.base ? await firstWrite(traffic, proc.base, began) : startMs
      p.note = `${proc.name} ${signal === 'SIGKILL' ? 'killed' : `stopped (exit ${code})`}; started again, ${proc.base ? 'serving writes' : 'running'} after ${seconds(p.recoveryMs)}`
      if (signal === 'SIGTERM' && code !== 0) p.failures.push(`${proc.name} exited ${code} on SIGTERM`)
    }

    await phase('warm-up', async (p) => {
      await sleep(plan.warmUpMs)
      p.note = 'no fault'
    })
    await phase('PostgreSQL stop -m fast', databaseRestart('fast'))
    await phase('PostgreSQL stop -m immediate', databaseRestart('immediate'))
    await phase('Redis killed', async (p) => {
      await redis.stop()
      await sleep(plan.downMs)
      await redis.start()
      const back = Date.now()
      const each = await Promise.all(bases.map((b) => readyWithRedis(b, back)))
      p.recoveryMs = each.some((ms) => ms === undefined) ? undefined : Math.max(...(each as number[]))
      p.note = `down ${seconds(plan.downMs)}; /ready reports Redis ok again after ${each.map(seconds).join(' and ')}`
    })
    await phase('SIGKILL api-1', restart(api1, 'SIGKILL'))
    await phase('SIGKILL worker', restart(worker, 'SIGKILL'))
    await phase('SIGTERM api-2', restart(api2, 'SIGTERM'))
    await traffic.stop()
    traffic.setPhase('retry')
    console.log('retrying the unacknowledged keyed creates…')
    await retryKeyed(traffic, bases, plan.retryMs)

    const check = new pg.Client({ connectionString: databaseUrl })
    await check.connect()
    const { rows } = await check.query<{ title: string; n: number }>(
      `select title, count(*)::int as n from tasks where title like 'chaos-%' group by title`,
    )
    // the worker's log dispatcher went through every fault too: it hands on the whole log
    const behind = async () => {
      const { rows: lag } = await check.query<{ n: number }>(
        `select (select coalesce(max(id), 0) from activity) - (select position from log_cursors where name = 'dispatch') as n`,
      )
      return Number(lag[0]?.n ?? Number.NaN)
    }
    const dispatchUntil = Date.now() + 60_000
    let dispatchLag = await behind()
    while (!(dispatchLag <= 0) && Date.now() < dispatchUntil) {
      await sleep(500)
      dispatchLag = await behind()
    }
    await check.end()
    const verdict = verify(traffic.creates, new Map(rows.map((r) => [r.title, r.n])))

    const failures: string[] = []
    if (!(dispatchLag <= 0))
      failures.push(`the worker's log dispatch is ${dispatchLag} entries behind a minute after the load`)
    for (const proc of procs) {
      for (const crash of proc.crashes)
        failures.push(`${proc.name} exited by itself (code ${crash.code}):\n${crash.tail}`)
    }
    for (const p of phases) failures.push(...p.failures.map((f) => `${p.name}: ${f}`))
    if (verdict.lost.length) failures.push(`${verdict.lost.length} acknowledged writes are missing`)
    if (verdict.doubled.length) failures.push(`${verdict.doubled.length} creates were written more than once`)
    const s500 = traffic.outcomes.filter((o) => o.status === 500).length
    if (s500) failures.push(`${s500} requests answered 500`)

    const acked = traffic.creates.filter((c) => c.attempts.some(isAck)).length
    const keyedRetried = traffic.creates.filter((c) => c.key && c.attempts.length > 1).length
    console.log(`\n${table(phases, traffic, verdict)}\n`)
    for (const p of phases) console.log(describePhase(p))
    console.log(
      `\n${traffic.creates.length} creates (${acked} acknowledged), ${keyedRetried} keyed ones retried after the faults; ` +
        `${verdict.lost.length} lost, ${verdict.doubled.length} doubled, ${verdict.unresolved.length} keyed still unanswered, ` +
        `${verdict.writtenUnacked} unacknowledged plain creates were written; the worker's log dispatch ${dispatchLag <= 0 ? 'caught up' : `is ${dispatchLag} entries behind`}`,
    )
    // what the processes logged as errors, by message: a fault's expected noise, or a finding
    for (const proc of procs) {
      const errors = new Map<string, number>()
      for (const l of proc.logs()) {
        // the first line is enough to tell them apart (a failed query's message goes on with its parameters)
        const msg = String(l.msg).split('\n')[0]!.slice(0, 120)
        if (l.level === 'error' || l.level === 'fatal') errors.set(msg, (errors.get(msg) ?? 0) + 1)
      }
      if (errors.size)
        console.log(`${proc.name} logged errors: ${[...errors].map(([m, n]) => `"${m}" ×${n}`).join(', ')}`)
    }
    if (failures.length) {
      console.log(`\nFAILED:\n${failures.map((f) => `- ${f}`).join('\n')}`)
      process.exitCode = 1
    } else console.log('\nOK')
  } finally {
    await cleanUp()
  }
}

main().catch((err) => {
  console.error(err)
  killClis()
  process.exit(1)
})
