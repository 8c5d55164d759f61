// npm run fuzz [-- --seed 42 --runs 300 --short --only 'POST /api/v1/tasks']
// The API under hostile input, from its own OpenAPI document: for every operation, requests built
// by fast-check from the served /openapi.json (wrong types, boundaries, NUL and lone surrogates,
// huge and deep bodies, bad cursors and ids, wrong content types, broken multipart, another user's
// ids) against the app on a fresh database (embedded; DATABASE_URL: a new database on that
// PostgreSQL). Fails on a 5xx, an answer slower than 5 s, an error that is not problem+json with
// the request id, an undocumented status, or a 2xx that shows or acts on the other user's objects.
// The same seed sends the same requests: the report prints the seed and each failing request.
import { createHash } from 'node:crypto'
import { parseArgs } from 'node:util'
import fc from 'fast-check'
import { type Document, type Operation, operations } from '../test/openapi-doc.ts'
import { type Finding, HANG_MS, judge, type Kind } from './checks.ts'
import { type FuzzRequest, type FuzzResponse, send } from './http.ts'
import { type Context, requestsFor } from './requests.ts'
import { startFuzzServer } from './server.ts'
import { type Account, furnish, intact, register, signIn } from './world.ts'

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: {
    seed: { type: 'string' },
    runs: { type: 'string' },
    short: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
})
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed)
if (!Number.isInteger(seed)) throw new Error('--seed must be an integer')
// --short: a seeded pass for CI (~2 min here); the full pass: 300 requests per operation
const runs = Number(values.runs ?? (values.short ? 4 : 300))
const out = (line: string) => process.stdout.write(`${line}\n`)

/** A seed of its own per operation, so `--only` replays exactly the requests of a full pass. */
const seedOf = (key: string) => createHash('sha256').update(`${seed}:${key}`).digest().readInt32LE(0)

interface Failure {
  op: string
  kind: Kind
  detail: string
  count: number
  example: { req: FuzzRequest; res: FuzzResponse | 'hang' | Error; index: number; logs: string[] }
}

const started = Date.now()
const server = await startFuzzServer(process.env.DATABASE_URL || undefined)
out(
  `fuzz: seed ${seed}, ${runs} requests per operation, on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'the embedded database'}`,
)
const failures = new Map<string, Failure>()
const statuses = new Map<number, number>()
let sent = 0
let slowest = 0
let exercised = 0
try {
  const doc = (await (await fetch(new URL('/openapi.json', server.url))).json()) as Document
  // the caller, and another user in a team of their own whose objects must stay out of reach
  const caller: Account = await register(server.url, 'caller')
  const other: Account = await register(server.url, 'other')
  await furnish(server.url, caller)
  await furnish(server.url, other)
  process.stderr.write(`server and world ready in ${Math.round((Date.now() - started) / 1000)} s\n`)
  const ops = operations(doc).filter((op) => !values.only || op.key === values.only)
  if (ops.length === 0) throw new Error(`no operation ${values.only}`)
  for (const op of ops) {
    const ctx: Context = { doc, own: caller.ids, other: other.ids, token: caller.token }
    const requests = fc.sample(requestsFor(ctx, op), { numRuns: runs, seed: seedOf(op.key) })
    exercised++
    for (const [index, req] of requests.entries()) {
      let res: FuzzResponse | 'hang' | Error
      try {
        res = await send(server.url, req, HANG_MS)
      } catch (err) {
        // Node refused to send it (a header it cannot encode): not a request the server saw
        if ((err as { code?: string }).code?.startsWith('ERR_')) continue
        throw err
      }
      sent++
      if (typeof res === 'object' && !(res instanceof Error)) {
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        slowest = Math.max(slowest, res.ms)
      }
      for (const finding of judge(op, req, res, other)) record(op, finding, req, res, index)
    }
    // a write may have signed the caller out or deleted its objects: set it up again for the next
    const state = op.method === 'GET' ? 'ok' : await intact(server.url, caller)
    if (state === 'signed-out') await signIn(server.url, caller)
    if (state !== 'ok') await furnish(server.url, caller)
    process.stderr.write(`  ${op.key}: ${requests.length} requests\n`)
  }
} finally {
  await server.close()
}

function record(op: Operation, finding: Finding, req: FuzzRequest, res: FuzzResponse | 'hang' | Error, index: number) {
  const key = `${op.key}|${finding.kind}|${finding.detail.replace(/[0-9a-f-]{36}|\d+ ms/g, '…')}`
  const known = failures.get(key)
  if (known) {
    known.count++
    return
  }
  const requestId = typeof res === 'object' && !(res instanceof Error) ? String(res.headers['x-request-id'] ?? '') : ''
  failures.set(key, { op: op.key, ...finding, count: 1, example: { req, res, index, logs: server.logsOf(requestId) } })
}

const preview = (b: Buffer | undefined, n = 300) => {
  if (!b) return '(none)'
  const text = JSON.stringify(b.subarray(0, n).toString('utf8'))
  return b.length > n ? `${text}… (${b.length} bytes)` : text
}

const seconds = Math.round((Date.now() - started) / 1000)
const count = (kind: Kind) => [...failures.values()].filter((f) => f.kind === kind).reduce((n, f) => n + f.count, 0)
for (const f of failures.values()) {
  const { req, res, index } = f.example
  out(`\nFAIL ${f.op}: ${f.kind} (${f.detail}), ${f.count}×; first as request #${index} of the operation:`)
  out(
    `  ${req.method} ${req.path.length > 300 ? `${req.path.slice(0, 300)}… (${req.path.length} characters)` : req.path}`,
  )
  const shown = Object.entries(req.headers).map(
    ([k, v]) => `${k}: ${k === 'authorization' ? `${v.slice(0, 16)}…` : v.slice(0, 120)}`,
  )
  out(`  headers: ${shown.join(' | ') || '(none)'}`)
  out(`  body (${req.note}): ${preview(req.body)}`)
  if (typeof res === 'object' && !(res instanceof Error)) out(`  → ${res.status} ${preview(res.body)}`)
  for (const line of f.example.logs) out(`  server: ${line}`)
  out(`  reproduce: npm run fuzz -- --seed ${seed} --runs ${runs} --only '${f.op}'`)
}
out(`
fuzz: seed ${seed}; ${exercised} operations, ${sent} requests in ${seconds} s (slowest answer ${Math.round(slowest)} ms)
  statuses: ${[...statuses]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ')}
  5xx: ${count('5xx')}, hangs: ${count('hang')}, no answer: ${count('no answer')}, not problem+json: ${count('not a problem')}, undocumented statuses: ${count('undocumented status')}, leaks: ${count('leak')}`)
process.exit(failures.size ? 1 : 0)
