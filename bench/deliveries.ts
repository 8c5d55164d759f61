/**
 * Webhook deliveries per minute of one worker, to a receiver on 127.0.0.1 that answers 200 at once.
 * N tasks are created in a team with one matching webhook while no worker runs; then this process
 * starts the job handlers and the log dispatcher (what `worker`, or `serve` on the embedded
 * database, runs) with the JOB_* settings of the environment, and the time until the receiver has
 * all N is measured.
 *
 *   npx tsx bench/deliveries.ts [--n 600] [--database-url postgres://…/db]   (default: embedded)
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { migrateUp } from '../src/db/migrate.ts'
import { openConfiguredDb } from '../src/db/open.ts'
import { openDeps } from '../src/deps.ts'
import { startLogDispatch } from '../src/dispatch.ts'
import { createInfra } from '../src/infra/index.ts'
import { createLogger } from '../src/logger.ts'

const { values } = parseArgs({ options: { n: { type: 'string', default: '600' }, 'database-url': { type: 'string' } } })
const n = Number(values.n)
const dataDir = mkdtempSync(join(tmpdir(), 'tasklane-deliveries-'))

let received = 0
const receiver = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    received++
    res.writeHead(200).end('ok')
  })
})
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`

const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('JOB_')))
const config = loadConfig({
  ...env,
  NODE_ENV: 'test',
  DATA_DIR: dataDir,
  JWT_SECRET: randomBytes(32).toString('hex'),
  LOG_LEVEL: 'warn',
  RATE_LIMIT_ENABLED: 'false',
  WEBHOOK_ALLOW_PRIVATE: 'true',
  EMAIL_VERIFICATION: 'off',
  ...(values['database-url'] ? { DATABASE_URL: values['database-url'] } : {}),
})
const logger = createLogger(config)
const database = await openConfiguredDb(config, logger)
await migrateUp(database)
const app = await buildApp(await openDeps({ config, database, logger, infra: createInfra(config, logger) }))
await app.ready()

const call = async (method: string, url: string, payload?: object, token?: string) => {
  const res = await app.inject({
    method: method as 'POST',
    url: `/api/v1${url}`,
    payload,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  })
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}
const email = `bench-${randomBytes(4).toString('hex')}@example.test`
const { accessToken: token } = await call('POST', '/auth/register', {
  email,
  password: 'bench-password-not-secret',
  name: 'Bench',
})
const team = await call('POST', '/teams', { name: 'Deliveries' }, token)
const project = await call('POST', '/projects', { teamId: team.id, name: 'Busy' }, token)
await call('POST', `/teams/${team.id}/webhooks`, { url: hookUrl, events: ['task.created'] }, token)
for (let i = 0; i < n; i++) await call('POST', '/tasks', { projectId: project.id, title: `Task ${i}` }, token)

const started = Date.now()
await app.queue.work()
const dispatcher = await startLogDispatch({ database, queue: app.queue, logger })
while (received < n) await new Promise((r) => setTimeout(r, 50))
const seconds = (Date.now() - started) / 1000
console.log(
  JSON.stringify({
    database: database.kind,
    deliveries: n,
    seconds: Number(seconds.toFixed(2)),
    perMinute: Math.round((n / seconds) * 60),
    concurrency: config.JOB_CONCURRENCY,
  }),
)
await dispatcher.stop()
await app.close()
await database.close()
receiver.close()
rmSync(dataDir, { recursive: true, force: true })
