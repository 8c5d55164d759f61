import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes')
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max)
const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
)
const optionalUrl = z.url().optional()

/**
 * What docs/configuration.md says of a variable (`npm run docs:config` writes that page from this schema):
 * `description`; `unset`, what applies when the default depends on other settings; `values`, where the
 * schema's own type reads poorly; `see`, the page of docs/ that tells more.
 */
type VariableDoc = { description: string; unset?: string; values?: string; see?: string }
const doc = <T extends z.ZodType>(schema: T, meta: VariableDoc): T => schema.meta(meta)

/** Every environment variable Tasklane reads, with the defaults of embedded mode. */
export const EnvSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'])
    .default('development')
    .describe('production requires `JWT_SECRET` (≥ 32 bytes) and `DATABASE_URL` (unless `ALLOW_EMBEDDED_DB=true`)'),
  PORT: int(0, 65535).default(3000).describe('HTTP port (`0`: any free port)'),
  HOST: z.string().min(1).default('127.0.0.1').describe('address to listen on (`0.0.0.0` in a container)'),
  PUBLIC_URL: optionalUrl.describe(
    "the API's public base URL, the address users reach: links in emails and single sign-on redirects are built from it (unset: `http://HOST:PORT`), and the OpenAPI document names it as its server",
  ),
  DATA_DIR: z
    .string()
    .min(1)
    .default('./data')
    .describe('the embedded database (`DATA_DIR/db`), the generated development JWT secret, local files'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('JSON lines, pretty only on a terminal'),
  DATABASE_URL: optionalUrl.describe('PostgreSQL connection URL; unset: the embedded PGlite database under `DATA_DIR`'),
  DATABASE_REPLICA_URL: doc(optionalUrl, {
    description: 'PostgreSQL read replica for the dashboard, used once it has caught up; needs `DATABASE_URL`',
    see: 'operations.md#read-replica-what-it-adds',
  }),
  DATABASE_POOL_SIZE: int(1, 500).default(20).describe("connections in the PostgreSQL pool, and in the replica's"),
  ALLOW_EMBEDDED_DB: bool.default(false).describe('allow the embedded database with `NODE_ENV=production`'),
  MIGRATE_ON_START: bool
    .default(true)
    .describe(
      'apply pending migrations when `serve` or `worker` starts; `false`: wait (up to 10 min) until another instance or `migrate up` has applied them',
    ),
  REDIS_URL: doc(optionalUrl, {
    description: 'Redis for the cache, rate-limit counters and fan-out; unset: in-memory, per instance',
    see: 'operations.md#redis-what-it-adds',
  }),
  JWT_SECRET: doc(z.string().min(16, 'must be at least 16 characters').optional(), {
    description:
      'key of the access tokens (HS256). In development it is generated once and kept in `DATA_DIR/jwt-secret`, so tokens survive restarts; required in production (at least 32 bytes)',
    unset: 'generated',
  }),
  ACCESS_TOKEN_TTL: int(30, 86_400).default(900).describe('access token lifetime, seconds'),
  REFRESH_TOKEN_TTL: int(300, 31_536_000).default(2_592_000).describe('refresh token lifetime, seconds (30 days)'),
  OIDC_ISSUER: doc(optionalUrl, {
    description:
      'the OpenID Connect issuer: bearer tokens from it are accepted (with `OIDC_AUDIENCE`), and browser single sign-on uses it (with `OIDC_CLIENT_ID`)',
    see: 'auth.md#single-sign-on',
  }),
  OIDC_AUDIENCE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'the audience those bearer tokens must carry; with `OIDC_ISSUER`, it or `OIDC_CLIENT_ID` is required (bearer tokens are accepted only with it)',
    ),
  OIDC_JWKS_URL: optionalUrl.describe("the issuer's JWKS URL; unset: taken from its discovery document"),
  OIDC_CLIENT_ID: doc(z.string().min(1).max(255).optional(), {
    description:
      'turns on browser single sign-on ("Sign in with …", the authorization code flow with PKCE): the client registered at `OIDC_ISSUER`',
    see: 'auth.md#single-sign-on',
  }),
  OIDC_CLIENT_SECRET: z
    .string()
    .min(1)
    .max(1024)
    .optional()
    .describe("that client's secret (sent as `client_secret_post`); unset: a public client, PKCE only"),
  OIDC_REDIRECT_URI: doc(optionalUrl, {
    description: 'the callback registered at the provider; must be exactly what the provider has',
    unset: '`PUBLIC_URL` (or this server) + `/api/v1/auth/oidc/callback`',
  }),
  OIDC_SCOPES: z.string().min(1).max(1000).default('openid email profile').describe('scopes asked for at sign-in'),
  OIDC_PROVIDER_NAME: z
    .string()
    .min(1)
    .max(60)
    .default('single sign-on')
    .describe('the button reads "Sign in with <name>"'),
  OIDC_ALLOWED_DOMAINS: doc(csv.transform((v) => v.map((d) => d.toLowerCase().replace(/^@/, ''))).optional(), {
    description: 'email domains that may sign in by single sign-on (the provider must have verified the address)',
    unset: 'any',
    values: 'comma-separated list',
  }),
  S3_BUCKET: doc(z.string().min(1).optional(), {
    description: 'store files in this S3 bucket; unset: in `STORAGE_DIR`',
    see: 'files-and-jobs.md#storage-consistency-and-the-job-queue',
  }),
  S3_ENDPOINT: optionalUrl.describe('S3-compatible endpoint (MinIO, R2, …); unset: AWS'),
  S3_REGION: z.string().min(1).default('us-east-1').describe('S3 region'),
  S3_PREFIX: z
    .string()
    .default('')
    .describe(
      'key prefix of every stored object: give each environment sharing a bucket its own (`prod/`, `staging/`)',
    ),
  S3_FORCE_PATH_STYLE: bool.default(false).describe('path-style bucket URLs (most S3-compatible stores)'),
  STORAGE_DIR: doc(z.string().min(1).optional(), {
    description: 'local file storage directory',
    unset: '`DATA_DIR/files`',
  }),
  WEB_DIR: doc(z.string().min(1).optional(), {
    description:
      'the built web app served at `/` (`npm start` and `npm run build` make it); missing: `/` answers 404 and a warning is logged',
    unset: '`web/dist` beside `src/` or `dist/`',
  }),
  SMTP_URL: doc(optionalUrl, {
    description:
      'SMTP server for email (`smtp://user:pass@host:587`, `smtps://…`); unset: mail goes to `DATA_DIR/outbox`',
    see: 'email.md',
  }),
  MAIL_FROM: z.string().min(3).default('Tasklane <no-reply@localhost>').describe('sender of email'),
  CORS_ORIGINS: doc(csv.default([]), {
    description: 'origins allowed to call the API from a browser; `*` for any (then without credentials); empty: none',
    values: 'comma-separated list',
    see: 'api.md#cors',
  }),
  BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024)
    .default(1024 * 1024)
    .describe('largest JSON body (1 MiB); larger → 413'),
  MAX_UPLOAD_BYTES: int(1, 5 * 1024 * 1024 * 1024)
    .default(25 * 1024 * 1024)
    .describe('largest attachment or note file (25 MiB); larger → 413'),
  PDF_EXTRACT_TIMEOUT_MS: int(100, 600_000)
    .default(60_000)
    .describe(
      'time limit of one PDF text extraction: its process is killed then (status `failed`); a lost extraction job is retried after this plus 15 s',
    ),
  PDF_EXTRACT_MAX_PAGES: int(1, 100_000)
    .default(500)
    .describe(
      'pages of a PDF whose text is extracted; the rest is not read (status `done`, `error` says how many of how many were read)',
    ),
  PDF_EXTRACT_MAX_BYTES: int(1, 5 * 1024 * 1024 * 1024)
    .default(50 * 1024 * 1024)
    .describe('larger PDFs are not extracted (status `failed` with the reason)'),
  PDF_EXTRACT_MAX_INFLATED_BYTES: int(1, 16 * 1024 * 1024 * 1024)
    .default(100 * 1024 * 1024)
    .describe(
      "bytes a PDF's compressed (zlib) streams may inflate to in all, images aside (100 MiB); past it the PDF is not parsed (status `failed`): a flate bomb stops here",
    ),
  PDF_EXTRACT_MAX_MEMORY_MB: int(128, 65_536)
    .default(512)
    .describe(
      "memory of the process that extracts a PDF's text (its resident memory on Linux, its JS heap everywhere); it is killed past this (status `failed`)",
    ),
  JOBS_IN_API: doc(bool.optional(), {
    description: 'run the background job handlers inside `serve`; with `DATABASE_URL`, run `worker` processes instead',
    unset: '`true` on the embedded database, `false` with `DATABASE_URL`',
  }),
  JOB_CONCURRENCY: int(1, 200)
    .default(10)
    .describe(
      'jobs of one queue a process (`worker`, or `serve` running the handlers) runs at once; PDF extraction has its own `2`, the sweeps `1`',
    ),
  JOB_QUEUE_CONCURRENCY: doc(
    z
      .string()
      .regex(
        /^\s*[a-z][a-z0-9.-]*=\d{1,3}\s*(,\s*[a-z][a-z0-9.-]*=\d{1,3}\s*)*$/,
        'a list of queue=number, e.g. webhooks.deliver=40',
      )
      .transform((v) =>
        Object.fromEntries(
          v.split(',').map((pair) => {
            const [name, n] = pair.split('=')
            return [name!.trim(), Number(n)]
          }),
        ),
      )
      .pipe(z.record(z.string(), z.number().int().min(1).max(200)))
      .default({}),
    {
      description:
        "per queue, over `JOB_CONCURRENCY` and the kind's own limit: `webhooks.deliver=40,attachments.extract=1` (names from `src/jobs.ts`; an unknown name stops the start)",
      values: 'comma-separated `queue=number` (1–200)',
    },
  ),
  JOB_POLL_INTERVAL_MS: int(500, 60_000)
    .default(2000)
    .describe('how often an idle queue looks for new jobs; a queue with work fetches the next job as soon as one ends'),
  JOB_TIMEOUT_SECONDS: int(5, 86_400)
    .default(1800)
    .describe(
      'an export, import or report still running after this long is taken as lost (its worker died) and run again; keep it above the longest job',
    ),
  JOB_BATCH_ROWS: int(1, 10_000)
    .default(1000)
    .describe(
      "rows an export reads (and an import writes) per statement: memory stays at one batch whatever the team's size",
    ),
  IMPORT_MAX_BYTES: int(1, 5 * 1024 * 1024 * 1024)
    .default(100 * 1024 * 1024)
    .describe('largest import file (100 MiB); larger → 413'),
  IMPORT_MAX_ROWS: int(1, 10_000_000)
    .default(200_000)
    .describe('most tasks plus comments one import may hold; more fails the import'),
  JOBS_PER_MINUTE: int(1, 1000)
    .default(5)
    .describe('exports, imports and reports one user may start per minute (429 with `Retry-After` beyond)'),
  AUTH_CACHE_TTL: int(0, 300)
    .default(30)
    .describe("seconds a user's auth state and a token lookup stay cached per instance; `0` turns the auth caches off"),
  LIST_CACHE_MAX_BYTES: doc(int(0, 4 * 1024 * 1024 * 1024).default(32 * 1024 * 1024), {
    description:
      'bytes of task list and single task answers an instance remembers (least recently used out first); `0` turns the list cache off',
    see: 'api.md#the-task-list-cache',
  }),
  LIST_CACHE_MAX_ENTRIES: int(0, 10_000_000)
    .default(10_000)
    .describe('task list and single task answers an instance remembers at most'),
  RATE_LIMIT_ENABLED: bool
    .default(true)
    .describe('`false` turns every rate limit off (load tests; logged as a warning)'),
  RATE_LIMIT_USER_PER_MIN: int(1, 1_000_000).default(600).describe('requests per minute per user or token'),
  RATE_LIMIT_ANON_PER_MIN: int(1, 1_000_000).default(300).describe('requests per minute per IP without credentials'),
  RATE_LIMIT_LOGIN_PER_MIN: int(1, 1_000_000).default(10).describe('login attempts per minute per IP and per email'),
  RATE_LIMIT_REGISTER_PER_HOUR: int(1, 1_000_000).default(10).describe('registrations per hour per IP'),
  RATE_LIMIT_PASSWORD_RESET_PER_HOUR: int(1, 1_000_000)
    .default(5)
    .describe('password-reset requests per hour per email address (per IP: `RATE_LIMIT_LOGIN_PER_MIN`)'),
  REGISTRATION: doc(z.enum(['open', 'invite', 'closed']).optional(), {
    description:
      'who may create an account: `open` anyone, `invite` only with an invitation, `closed` only administrators',
    unset: '`open`; `invite` in production',
    see: 'auth.md#accounts',
  }),
  EMAIL_VERIFICATION: doc(z.enum(['required', 'optional', 'off']).default('optional'), {
    description: '`required`: an unverified address cannot sign in; `optional`: it can; `off`: no verification emails',
    see: 'auth.md#accounts',
  }),
  METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe('when set, `/metrics` requires `Authorization: Bearer <token>`'),
  WORKER_METRICS_PORT: doc(int(0, 65535).optional(), {
    description:
      'a `worker` process serves `GET /metrics` (its job runs by kind and outcome with their durations, emails, webhook deliveries, queue depth, process metrics; `METRICS_TOKEN` applies) and `GET /health` on `HOST` at this port (`0`: any free port)',
    unset: 'no listener: a worker serves nothing',
    see: 'operations.md#monitoring',
  }),
  TRUST_PROXY: doc(z.string().optional(), {
    description:
      'proxies trusted for `X-Forwarded-For` and `-Proto`: `true`, a hop count, or addresses/CIDRs; unset: the socket decides',
    see: 'api.md#plain-http-and-tls',
  }),
  ADMIN_EMAIL: z
    .email()
    .optional()
    .describe('with `ADMIN_PASSWORD`, `serve` creates this admin once if missing; `seed` uses it too'),
  ADMIN_PASSWORD: z.string().min(8).max(256).optional().describe("the first admin's password"),
  WEBHOOK_ALLOW_PRIVATE: bool
    .default(false)
    .describe('allow webhooks to loopback, private and link-local addresses (refused by default)'),
  SHUTDOWN_TIMEOUT_MS: int(100, 120_000)
    .default(10_000)
    .describe('how long a shutdown waits for in-flight requests before exiting anyway'),
  // overload shedding (503 + Retry-After): event-loop lag and requests queued for a database connection;
  // by default on in production on PostgreSQL only (see src/http/pressure.ts), 0 turns a check off
  PRESSURE_MAX_EVENT_LOOP_DELAY_MS: doc(int(0, 60_000).optional(), {
    description: 'shed requests with 503 + `Retry-After` while the event loop lags more than this (ms); `0`: off',
    unset: 'production on PostgreSQL: `200`, else `0`',
  }),
  PRESSURE_MAX_DB_WAITING: doc(int(0, 100_000).optional(), {
    description:
      'shed requests with 503 + `Retry-After` while more requests than this wait for a database connection; `0`: off',
    unset: 'production on PostgreSQL: `100`, else `0`',
  }),
  PRESSURE_RETRY_AFTER_S: int(1, 3600).default(2).describe('the `Retry-After` of a shed request, seconds'),
})

type Env = z.infer<typeof EnvSchema>
export type Config = Omit<Env, 'REGISTRATION'> & {
  /** unset: `open`, except `invite` in production */
  REGISTRATION: 'open' | 'invite' | 'closed'
  JWT_SECRET: string
  DATA_DIR: string
  STORAGE_DIR: string
  WEB_DIR: string
  /** true when no DATABASE_URL is set and the embedded PGlite database is used */
  embeddedDb: boolean
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/**
 * Parses and checks the environment. Throws ConfigError with one line per bad variable.
 * In development without JWT_SECRET a random secret is generated once and kept in DATA_DIR,
 * so tokens survive restarts.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = EnvSchema.safeParse(input)
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`))
  }
  const e = parsed.data
  const problems: string[] = []
  const production = e.NODE_ENV === 'production'
  if (production && (!e.JWT_SECRET || Buffer.byteLength(e.JWT_SECRET) < 32)) {
    problems.push('JWT_SECRET: required in production, at least 32 bytes')
  }
  if (production && !e.DATABASE_URL && !e.ALLOW_EMBEDDED_DB) {
    problems.push('DATABASE_URL: required in production (or set ALLOW_EMBEDDED_DB=true to use the embedded database)')
  }
  if (e.OIDC_ISSUER && !e.OIDC_AUDIENCE && !e.OIDC_CLIENT_ID) {
    problems.push('OIDC_AUDIENCE or OIDC_CLIENT_ID: one is required when OIDC_ISSUER is set')
  }
  if (e.OIDC_CLIENT_ID && !e.OIDC_ISSUER) problems.push('OIDC_ISSUER: required when OIDC_CLIENT_ID is set')
  // a production sign-in never talks to its provider in the clear
  if (production && e.OIDC_CLIENT_ID && e.OIDC_ISSUER?.startsWith('http:')) {
    problems.push('OIDC_ISSUER: must be https in production when OIDC_CLIENT_ID is set')
  }
  if (e.DATABASE_REPLICA_URL && !e.DATABASE_URL) {
    problems.push('DATABASE_REPLICA_URL: needs DATABASE_URL (the embedded database has no replica)')
  }
  if (problems.length) throw new ConfigError(problems)

  const dataDir = resolve(e.DATA_DIR)
  return {
    ...e,
    DATA_DIR: dataDir,
    STORAGE_DIR: resolve(e.STORAGE_DIR ?? join(dataDir, 'files')),
    WEB_DIR: resolve(e.WEB_DIR ?? fileURLToPath(new URL('../web/dist', import.meta.url))),
    JWT_SECRET: e.JWT_SECRET ?? devSecret(dataDir),
    REGISTRATION: e.REGISTRATION ?? (production ? 'invite' : 'open'),
    embeddedDb: !e.DATABASE_URL,
  }
}

function devSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret')
  try {
    return readFileSync(file, 'utf8').trim()
  } catch {
    mkdirSync(dataDir, { recursive: true })
    try {
      writeFileSync(file, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' })
    } catch (err) {
      // another process created it first: use theirs
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    return readFileSync(file, 'utf8').trim()
  }
}

/** Where links in emails and redirects point: PUBLIC_URL without its trailing slash, else this server. */
export const publicBaseUrl = (config: Pick<Config, 'PUBLIC_URL' | 'HOST' | 'PORT'>): string =>
  config.PUBLIC_URL?.replace(/\/$/, '') ?? `http://${config.HOST}:${config.PORT}`
