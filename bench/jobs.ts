// Exports and imports at size, on DATABASE_URL (an empty database of your own):
//   npx tsx bench/jobs.ts export [tasks=1000000] [csv|json]   a team of that many tasks, then a real
//     `worker` process runs one export: its duration, file size, and the worker's RSS (peak: VmHWM)
//   node --expose-gc --import tsx bench/jobs.ts import [tasks=100000]   one CSV import, the API and
//     the worker in this process: its duration and the process's peak RSS
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { openDb } from '../src/db/client.ts'
import { migrateUp } from '../src/db/migrate.ts'
import { openDeps } from '../src/deps.ts'
import { createQueue } from '../src/infra/queue.ts'
import { localStorage } from '../src/infra/storage-local.ts'
import { jobDefinitions } from '../src/jobs.ts'
import { createLogger } from '../src/logger.ts'

const [mode, count, format = 'csv'] = process.argv.slice(2)
if (mode !== 'export' && mode !== 'import') throw new Error('usage: bench/jobs.ts export|import [tasks] [csv|json]')
const N = Number(count ?? (mode === 'export' ? 1_000_000 : 100_000))
const url = process.env.DATABASE_URL
if (!url) throw new Error('set DATABASE_URL to an empty database of your own')
const env = {
  NODE_ENV: 'production',
  DATA_DIR: mkdtempSync(join(tmpdir(), 'tasklane-bench-jobs-')),
  JWT_SECRET: randomBytes(32).toString('hex'),
  RATE_LIMIT_ENABLED: 'false',
  EMAIL_VERIFICATION: 'off',
  REGISTRATION: 'open',
  LOG_LEVEL: 'warn',
  DATABASE_URL: url,
  // the machine is shared: no shedding of the bench's own requests
  PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
  PRESSURE_MAX_DB_WAITING: '0',
}
const config = loadConfig(env)
const logger = createLogger(config)
const database = await openDb({ url, poolSize: 5 })
await migrateUp(database)
const storage = localStorage(config.STORAGE_DIR)
// import: this process runs the jobs; export: a worker process does, this one only sets the scene
const queue =
  mode === 'import'
    ? await createQueue({ database, logger, jobs: jobDefinitions({ config, database, storage }) })
    : undefined
const app = await buildApp(await openDeps({ config, database, logger, storage, ...(queue ? { queue } : {}) }))
await app.ready()

const post = async (a: FastifyInstance, path: string, payload: object, headers = {}) => {
  const res = await a.inject({ method: 'POST', url: `/api/v1/${path}`, headers, payload })
  if (res.statusCode >= 300) throw new Error(`${path}: ${res.statusCode} ${res.body}`)
  return res.json()
}
const password = 'a long bench password 42'
const me = await post(app, 'auth/register', { email: `bench-${Date.now()}@example.test`, password, name: 'Bench' })
const auth = { authorization: `Bearer ${me.accessToken}` }
const team = await post(app, 'teams', { name: 'Bench jobs' }, auth)
const mib = (bytes: number) => Math.round(bytes / 1048576)
const report = (figures: object) => process.stdout.write(`${JSON.stringify(figures)}\n`)

if (mode === 'export') {
  const projects: string[] = []
  for (let p = 0; p < 10; p++) projects.push((await post(app, 'projects', { teamId: team.id, name: `P${p}` }, auth)).id)
  const tags: string[] = []
  for (let t = 0; t < 8; t++)
    tags.push((await post(app, 'tags', { teamId: team.id, name: `tag-${t}`, color: '#336699' }, auth)).id)
  const seeded = Date.now()
  for (let off = 0; off < N; off += 100_000) {
    await database.sql.query(
      `insert into tasks (id, team_id, project_id, title, description, priority_rank, status, due_at, position)
       select gen_random_uuid(), $1, ($2::uuid[])[1 + g % 10], 'Task ' || g || ', of the bench',
              'A description of task ' || g || ' with "quotes", commas and words', 1 + g % 4,
              (array['todo', 'in_progress', 'done', 'cancelled'])[1 + (g / 4) % 4],
              case when g % 4 = 0 then null else now() + ((g::bigint * 7919) % 1000 - 500) * interval '1 hour' end, g
       from generate_series($3::int, $4::int) g`,
      [team.id, projects, off + 1, Math.min(off + 100_000, N)],
    )
  }
  await database.sql.query(
    `insert into task_tags (task_id, tag_id)
     select id, ($2::uuid[])[1 + abs(hashtext(id::text)) % 8] from tasks where team_id = $1 and random() < 0.33`,
    [team.id, tags],
  )
  await database.sql.query('analyze')
  report({ seeded: N, seconds: (Date.now() - seeded) / 1000 })
  const job = await post(app, 'exports', { teamId: team.id, format }, auth)
  await app.close()

  const worker = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'worker'], {
    cwd: join(import.meta.dirname, '..'),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const vm = () =>
    Object.fromEntries(
      readFileSync(`/proc/${worker.pid}/status`, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('Vm'))
        .map((l) => [l.split(':')[0], Number.parseInt(l.split(':')[1]!, 10) * 1024]),
    )
  let before = 0
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000))
    const { rows } = await database.sql.query<{
      status: string
      started_at: Date | null
      finished_at: Date | null
      result: { rows: number; size: number } | null
    }>('select status, started_at, finished_at, result from jobs where id = $1', [job.id])
    const row = rows[0]!
    // the worker's RSS once it has started and claimed the job, before the rows flow
    if (!before && row.status === 'running') before = vm().VmRSS!
    if (row.status !== 'done' && row.status !== 'failed') continue
    const { VmHWM, VmRSS } = vm()
    report({
      format,
      status: row.status,
      rows: row.result?.rows,
      fileMiB: mib(row.result?.size ?? 0),
      seconds: (row.finished_at!.getTime() - row.started_at!.getTime()) / 1000,
      workerRssAtStartMiB: mib(before),
      workerPeakRssMiB: mib(VmHWM!),
      workerRssAfterMiB: mib(VmRSS!),
    })
    break
  }
  worker.kill('SIGTERM')
} else {
  const lines = ['title,description,status,priority,project,tags']
  const statuses = ['todo', 'in_progress', 'done', 'cancelled']
  const priorities = ['low', 'medium', 'high', 'urgent']
  for (let i = 0; i < N; i++) {
    lines.push(
      `Task number ${i} of the import,"A description of task ${i}, with a comma and some words to make it longer",` +
        `${statuses[i % 4]},${priorities[i % 4]},Project ${i % 5},t${i % 8};u${i % 3}`,
    )
  }
  const csv = Buffer.from(`${lines.join('\r\n')}\r\n`)
  lines.length = 0
  const boundary = `----bench${randomBytes(8).toString('hex')}`
  const field = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
  const payload = Buffer.concat([
    Buffer.from(field('teamId', team.id) + field('format', 'csv')),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="tasks.csv"\r\n\r\n`),
    csv,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  global.gc?.()
  const before = process.memoryUsage().rss
  let peak = before
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 50)
  await queue!.work()
  const started = Date.now()
  const headers = { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` }
  const res = await app.inject({ method: 'POST', url: '/api/v1/imports', headers, payload })
  if (res.statusCode !== 202) throw new Error(res.body)
  let job: { status: string; result: { created: object } | null }
  do {
    await new Promise((r) => setTimeout(r, 250))
    job = (await app.inject({ method: 'GET', url: `/api/v1/imports/${res.json().id}`, headers: auth })).json()
  } while (job.status !== 'done' && job.status !== 'failed')
  clearInterval(sampler)
  report({
    tasks: N,
    fileMiB: mib(csv.length),
    status: job.status,
    created: job.result?.created,
    seconds: (Date.now() - started) / 1000,
    rssBeforeMiB: mib(before),
    peakRssMiB: mib(peak),
  })
  await app.close()
  await queue!.stop(1000)
}
await storage.close()
await database.close()
