import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { testDatabaseUrl } from '../../test/db.ts'
import { createTask, type Outcome, registerAccount, runLoad } from '../../test/load.ts'
import { hasPostgresBinaries, type PrivatePostgres, startPrivatePostgres } from '../../test/private-services.ts'
import { killClis, listening, runCli, terminate } from '../../test/spawn.ts'

// the reproduction: 48-64 keyed creates in flight when the process dies
const CONCURRENCY = 48
const CREATED_BEFORE_KILL = 150

const dirs: string[] = []
let cluster: PrivatePostgres | undefined
afterEach(() => {
  killClis()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

type Created = Outcome & { taskId?: string }

/** Sends the create again with its key until it is answered with a 2xx (a 409 or 503 says: later). */
async function retry(base: string, token: string, key: string, title: string): Promise<Created> {
  for (;;) {
    const outcome = await createTask(base, token, { title, idempotencyKey: key, timeoutMs: 60_000 })
    if (typeof outcome.status === 'number' && outcome.status < 300) return outcome
    if (typeof outcome.status === 'number' && ![409, 503].includes(outcome.status)) {
      throw new Error(`the retry of ${key} answered ${outcome.status}`)
    }
    await new Promise((r) => setTimeout(r, 1_000))
  }
}

/** The ids of the tasks of each title. */
async function tasksByTitle(url: string, titles: string[]): Promise<Map<string, string[]>> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ title: string; id: string }>(
      'select title, id from tasks where title = any($1)',
      [titles],
    )
    const found = new Map<string, string[]>(titles.map((t) => [t, []]))
    for (const r of rows) found.get(r.title)!.push(r.id)
    return found
  } finally {
    await client.end()
  }
}

// its own cluster, like the restart test; run with the PostgreSQL suite
describe.skipIf(!testDatabaseUrl() || !hasPostgresBinaries())('Idempotency-Key when the API is SIGKILLed', () => {
  beforeAll(async () => {
    cluster = await startPrivatePostgres()
  }, 120_000)
  afterAll(async () => {
    await cluster?.destroy()
  })

  it(`during ${CONCURRENCY} concurrent keyed creates, a retry of every key replays what committed and creates what did not, each once`, {
    timeout: 420_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tasklane-idem-kill-'))
    dirs.push(dataDir)
    const env = {
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      DATABASE_URL: cluster!.url,
      JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
      LOG_LEVEL: 'info',
      RATE_LIMIT_ENABLED: 'false',
      HOST: '127.0.0.1',
      PORT: '0',
    }
    const first = runCli(['serve'], env)
    const base = await listening(first, 120_000)
    const account = await registerAccount(base, 'idem-kill')

    const sent = new Map<string, string>()
    let n = 0
    const load = runLoad(CONCURRENCY, (loop) => {
      const key = `kill-${loop}-${n++}`
      const title = `idem-kill ${key}`
      sent.set(key, title)
      return createTask(base, account.token, { title, idempotencyKey: key })
    })
    await vi.waitFor(
      () => expect(load.outcomes.filter((o) => o.status === 201).length).toBeGreaterThanOrEqual(CREATED_BEFORE_KILL),
      { timeout: 180_000, interval: 20 },
    )
    first.child.kill('SIGKILL')
    await first.exited
    await load.stop()
    const answered = new Map(
      (load.outcomes as Created[]).filter((o) => o.status === 201).map((o) => [o.idempotencyKey!, o.taskId!]),
    )
    const cutOff = [...sent.keys()].filter((k) => !answered.has(k))
    expect(cutOff.length).toBeGreaterThan(0)
    // what the dead process had committed, before anything is retried
    const before = await tasksByTitle(cluster!.url, [...sent.values()])
    for (const [key, id] of answered) expect(before.get(sent.get(key)!)).toEqual([id])

    const second = runCli(['serve'], env)
    const restarted = await listening(second, 120_000)
    const retried = new Map<string, Created>()
    const queue = [...sent.keys()]
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
          retried.set(key, await retry(restarted, account.token, key, sent.get(key)!))
        }
      }),
    )

    const after = await tasksByTitle(cluster!.url, [...sent.values()])
    const doubled = [...after].filter(([, ids]) => ids.length !== 1).map(([title, ids]) => `${title}: ${ids.length}`)
    expect(doubled).toEqual([])
    for (const [key, title] of sent) {
      const outcome = retried.get(key)!
      const committed = before.get(title)!
      expect(outcome.taskId).toBe(after.get(title)![0])
      // a create that had committed is answered from the key, never run again
      if (committed.length) {
        expect({ key, replayed: outcome.replayed, id: outcome.taskId }).toEqual({
          key,
          replayed: true,
          id: committed[0],
        })
      } else expect({ key, replayed: outcome.replayed }).toEqual({ key, replayed: false })
    }
    expect(await terminate(second)).toBe(0)
  })
})
