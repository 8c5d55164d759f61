/**
 * npm run cluster [-- --short]: three API instances and two workers behind nginx (Debian's package),
 * on a PostgreSQL and a Redis of their own (spare ports; the shared ones are never touched). A mixed
 * load (keyed and plain task creates, list reads) goes through nginx while every instance in turn
 * gets SIGTERM and is started again (a rolling restart; then the workers). Meanwhile a client
 * follows the event stream of api-1 while tasks are created through api-2 and api-3, and a burst of
 * wrong logins for one address goes to the three instances in turn. Prints the requests, the non-2xx
 * answers, the events seen and the rate limit counted across instances; exits 1 when a request
 * through nginx was not answered 2xx, an event was missed, the limit was counted per instance, or a
 * process did not exit 0 on SIGTERM.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { createTask, registerAccount } from '../test/load.ts'
import { freePort, startPrivatePostgres, startPrivateRedis } from '../test/private-services.ts'
import { killClis } from '../test/spawn.ts'
import { openSse, type SseClient } from '../test/sse.ts'
import { apiInstance, type Proc, workerProcess } from './chaos/processes.ts'
import { isAck, startTraffic } from './chaos/traffic.ts'

const { values } = parseArgs({ options: { short: { type: 'boolean', default: false } } })
const plan = values.short
  ? { concurrency: 8, accounts: 4, warmUpMs: 5_000, settleMs: 3_000, writes: 20 }
  : { concurrency: 16, accounts: 8, warmUpMs: 15_000, settleMs: 10_000, writes: 60 }
const LOGIN_LIMIT = 10
const WRONG_LOGINS = 30
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function nginxConfig(dir: string, port: number, upstreams: number[]) {
  return `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream tasklane {
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n')}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://tasklane;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      # a refused connection, or a 503 from an instance that is closing (it did nothing), goes to the next
      proxy_next_upstream error http_502 http_503 non_idempotent;
    }
    location /api/v1/events {
      proxy_pass http://tasklane;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
}
`
}

/** Follows the event stream of one instance, reconnecting with Last-Event-ID when it restarts. */
function follow(base: string, token: string) {
  const seen = new Set<string>()
  let lastId = ''
  let client: SseClient | undefined
  let stopped = false
  let connected = () => {}
  const first = new Promise<void>((resolve) => {
    connected = resolve
  })
  const done = (async () => {
    while (!stopped) {
      try {
        client = await openSse(`${base}/api/v1/events`, {
          authorization: `Bearer ${token}`,
          ...(lastId ? { 'last-event-id': lastId } : {}),
        })
        const ended = client.closed.then(() => {
          throw new Error('the stream ended')
        })
        ended.catch(() => {})
        if (client.status === 200) connected()
        for (;;) {
          const e = await Promise.race([client.next(3_600_000), ended])
          lastId = e.id
          if (e.event === 'task.created') seen.add(String(e.data.entityId))
        }
      } catch {
        if (!stopped) await sleep(200)
      }
    }
  })()
  return {
    seen,
    /** resolves once the first stream is open (changes from then on are delivered) */
    connected: first,
    stop: async () => {
      stopped = true
      client?.close()
      await Promise.race([done, sleep(1_000)])
    },
  }
}

async function main() {
  if (!NGINX) throw new Error('nginx is not installed (apt-get install nginx-light, or nginx); .ci/run installs it')
  const dir = mkdtempSync(join(tmpdir(), 'tasklane-cluster-'))
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d))
  const postgres = await startPrivatePostgres()
  const redis = await startPrivateRedis()
  let nginx: ReturnType<typeof spawn> | undefined
  const cleanUp = async () => {
    nginx?.kill('SIGTERM')
    killClis()
    await redis.destroy()
    await postgres.destroy()
    rmSync(dir, { recursive: true, force: true })
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanUp().finally(() => process.exit(130)))
  }
  const failures: string[] = []
  try {
    const admin = new pg.Client({ connectionString: postgres.url })
    await admin.connect()
    await admin.query('create database cluster')
    await admin.end()
    const env = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      DATA_DIR: join(dir, 'data'),
      DATABASE_URL: postgres.url.replace(/\/postgres$/, '/cluster'),
      REDIS_URL: redis.url,
      JWT_SECRET: 'cluster-secret-cluster-secret-cluster-0123',
      REGISTRATION: 'open',
      ACCESS_TOKEN_TTL: '86400',
      // limits on (counted in Redis, across instances), high enough for the load's accounts
      RATE_LIMIT_USER_PER_MIN: '1000000',
      RATE_LIMIT_REGISTER_PER_HOUR: '1000',
      RATE_LIMIT_LOGIN_PER_MIN: String(LOGIN_LIMIT),
      TRUST_PROXY: '127.0.0.1',
    }
    const ports = [await freePort(), await freePort(), await freePort()]
    const apis = ports.map((p, i) => apiInstance(`api-${i + 1}`, p, env))
    const workers = [workerProcess('worker-1', env), workerProcess('worker-2', env)]
    const procs: Proc[] = [...apis, ...workers]
    const nginxPort = await freePort()
    writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, nginxPort, ports))
    const test = spawnSync(NGINX, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' })
    if (test.status !== 0) throw new Error(`nginx -t: ${test.stderr}`)
    nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'inherit' })
    const base = `http://127.0.0.1:${nginxPort}`
    console.log(`PostgreSQL ${postgres.url}, Redis ${redis.url}, nginx ${base} → ${ports.join(', ')}`)
    await apis[0]!.start() // migrates first
    await Promise.all([...apis.slice(1), ...workers].map((p) => p.start()))

    const accounts = []
    for (let i = 0; i < plan.accounts; i++) accounts.push(await registerAccount(base, `cluster${i}`))
    const traffic = startTraffic([base], accounts, plan.concurrency)

    // a client on api-1 sees the changes made through the others
    const watcher = await registerAccount(apis[0]!.base!, 'watcher')
    const stream = follow(apis[0]!.base!, watcher.token)
    await stream.connected
    const written: string[] = []
    let writesFailed = 0
    const writer = (async () => {
      for (let i = 0; i < plan.writes; i++) {
        // through api-2 or api-3, whichever is up (one of them may be restarting)
        const target = apis[1 + (i % 2)]!.running() ? apis[1 + (i % 2)]! : apis[1 + ((i + 1) % 2)]!
        const o = await createTask(target.base!, watcher.token, { title: `watched-${i}` })
        if (isAck(o) && o.taskId) written.push(o.taskId)
        else writesFailed++
        await sleep(plan.settleMs / 4)
      }
    })()

    console.log('warm-up…')
    await sleep(plan.warmUpMs)
    const restarts: string[] = []
    for (const p of procs) {
      console.log(`SIGTERM ${p.name}…`)
      const code = await p.stop('SIGTERM')
      if (code !== 0) failures.push(`${p.name} exited ${code} on SIGTERM`)
      const ms = await p.start()
      restarts.push(`${p.name} (exit ${code}, up again in ${(ms / 1000).toFixed(1)} s)`)
      await sleep(plan.settleMs)
    }
    await writer
    await traffic.stop()
    // the last events get a moment to arrive
    const until = Date.now() + 10_000
    while (written.some((id) => !stream.seen.has(id)) && Date.now() < until) await sleep(100)
    await stream.stop()

    // wrong logins for one address, to the three instances in turn: the limit holds across them
    const email = `nobody-${Date.now()}@example.com`
    const loginStatuses: number[] = []
    for (let i = 0; i < WRONG_LOGINS; i++) {
      const res = await fetch(`${apis[i % 3]!.base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'not the password' }),
      })
      loginStatuses.push(res.status)
      await res.arrayBuffer()
    }
    const limited = loginStatuses.filter((s) => s === 429).length

    const outcomes = traffic.outcomes
    const statuses: Record<string, number> = {}
    for (const o of outcomes) statuses[String(o.status)] = (statuses[String(o.status)] ?? 0) + 1
    const non2xx = outcomes.filter((o) => !isAck(o))
    const missed = written.filter((id) => !stream.seen.has(id)).length
    const crashes = procs.flatMap((p) => p.crashes.map((c) => `${p.name} exited by itself (${c.code})`))
    const rows = [
      ['requests through nginx (creates and lists, during the rolling restart)', String(outcomes.length)],
      ['non-2xx or unanswered', `${non2xx.length} (${JSON.stringify(statuses)})`],
      [
        'events seen on api-1 for tasks created through api-2/api-3',
        `${written.length - missed} of ${written.length} (${writesFailed} writes failed)`,
      ],
      [
        `wrong logins for one address spread over 3 instances (limit ${LOGIN_LIMIT}/min)`,
        `${WRONG_LOGINS - limited} answered 401, ${limited} answered 429 (counted across instances: expected ${WRONG_LOGINS - LOGIN_LIMIT})`,
      ],
      ['restarted one at a time (SIGTERM, then started)', restarts.join('; ')],
    ]
    console.log(`\n| cluster run${values.short ? ' (--short)' : ''} | |\n| --- | --- |`)
    for (const [k, v] of rows) console.log(`| ${k} | ${v} |`)
    if (non2xx.length) failures.push(`${non2xx.length} requests through nginx were not answered 2xx`)
    if (missed || writesFailed) failures.push(`${missed} events missed, ${writesFailed} watched writes failed`)
    if (limited !== WRONG_LOGINS - LOGIN_LIMIT)
      failures.push(`${limited} logins limited, not ${WRONG_LOGINS - LOGIN_LIMIT}`)
    failures.push(...crashes)
  } finally {
    await cleanUp()
  }
  for (const f of failures) console.log(`FAILED: ${f}`)
  process.exit(failures.length ? 1 : 0)
}

await main()
