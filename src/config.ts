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

/** Every environment variable Tasklane reads, with the defaults of embedded mode. */
export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: optionalUrl,
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: optionalUrl,
  DATABASE_REPLICA_URL: optionalUrl,
  DATABASE_POOL_SIZE: int(1, 500).default(20),
  ALLOW_EMBEDDED_DB: bool.default(false),
  MIGRATE_ON_START: bool.default(true),
  REDIS_URL: optionalUrl,
  JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  ACCESS_TOKEN_TTL: int(30, 86_400).default(900),
  REFRESH_TOKEN_TTL: int(300, 31_536_000).default(2_592_000),
  OIDC_ISSUER: optionalUrl,
  OIDC_AUDIENCE: z.string().min(1).optional(),
  OIDC_JWKS_URL: optionalUrl,
  /** browser single sign-on (authorization code + PKCE) with OIDC_ISSUER: the client registered there */
  OIDC_CLIENT_ID: z.string().min(1).max(255).optional(),
  /** unset: a public client (PKCE only) */
  OIDC_CLIENT_SECRET: z.string().min(1).max(1024).optional(),
  /** unset: PUBLIC_URL (or this server) + /api/v1/auth/oidc/callback */
  OIDC_REDIRECT_URI: optionalUrl,
  OIDC_SCOPES: z.string().min(1).max(1000).default('openid email profile'),
  /** the button says "Sign in with <name>" */
  OIDC_PROVIDER_NAME: z.string().min(1).max(60).default('single sign-on'),
  /** only these email domains may sign in by single sign-on (unset: any) */
  OIDC_ALLOWED_DOMAINS: csv.transform((v) => v.map((d) => d.toLowerCase().replace(/^@/, ''))).optional(),
  S3_BUCKET: z.string().min(1).optional(),
  S3_ENDPOINT: optionalUrl,
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_PREFIX: z.string().default(''),
  S3_FORCE_PATH_STYLE: bool.default(false),
  STORAGE_DIR: z.string().min(1).optional(),
  /** the built web app served at / (default: web/dist beside src/ or dist/) */
  WEB_DIR: z.string().min(1).optional(),
  SMTP_URL: optionalUrl,
  MAIL_FROM: z.string().min(3).default('Tasklane <no-reply@localhost>'),
  CORS_ORIGINS: csv.default([]),
  BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(1024 * 1024),
  MAX_UPLOAD_BYTES: int(1, 5 * 1024 * 1024 * 1024).default(25 * 1024 * 1024),
  PDF_EXTRACT_TIMEOUT_MS: int(100, 600_000).default(60_000),
  PDF_EXTRACT_MAX_PAGES: int(1, 100_000).default(500),
  PDF_EXTRACT_MAX_BYTES: int(1, 5 * 1024 * 1024 * 1024).default(50 * 1024 * 1024),
  /** bytes a PDF's compressed streams may inflate to in all (a flate bomb is refused before it is parsed) */
  PDF_EXTRACT_MAX_INFLATED_BYTES: int(1, 16 * 1024 * 1024 * 1024).default(100 * 1024 * 1024),
  /** memory of the process that extracts a PDF's text; it is killed past this */
  PDF_EXTRACT_MAX_MEMORY_MB: int(128, 65_536).default(512),
  /** run the job handlers in the API process too (default: only with the embedded database) */
  JOBS_IN_API: bool.optional(),
  /** jobs of one queue a process (worker, or the embedded API) runs at once, for kinds without their own limit */
  JOB_CONCURRENCY: int(1, 200).default(10),
  /** per queue, over JOB_CONCURRENCY and the kind's own limit: `webhooks.deliver=40,attachments.extract=1` */
  JOB_QUEUE_CONCURRENCY: z
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
  /** how often an idle queue is polled for new jobs (a busy one fetches again as soon as a job ends) */
  JOB_POLL_INTERVAL_MS: int(500, 60_000).default(2000),
  /** exports, imports and reports: a run not finished after this many seconds is taken as lost (its worker died) and run again */
  JOB_TIMEOUT_SECONDS: int(5, 86_400).default(1800),
  /** rows an export reads (and an import writes) per statement */
  JOB_BATCH_ROWS: int(1, 10_000).default(1000),
  /** the largest import file, in bytes (413 beyond) */
  IMPORT_MAX_BYTES: int(1, 5 * 1024 * 1024 * 1024).default(100 * 1024 * 1024),
  /** the most tasks plus comments one import may hold */
  IMPORT_MAX_ROWS: int(1, 10_000_000).default(200_000),
  /** exports, imports and reports a user may start per minute */
  JOBS_PER_MINUTE: int(1, 1000).default(5),
  /** seconds a user's auth state and a token lookup stay cached per instance; 0 turns the caches off */
  AUTH_CACHE_TTL: int(0, 300).default(30),
  RATE_LIMIT_ENABLED: bool.default(true),
  RATE_LIMIT_USER_PER_MIN: int(1, 1_000_000).default(600),
  RATE_LIMIT_ANON_PER_MIN: int(1, 1_000_000).default(300),
  RATE_LIMIT_LOGIN_PER_MIN: int(1, 1_000_000).default(10),
  RATE_LIMIT_REGISTER_PER_HOUR: int(1, 1_000_000).default(10),
  /** password-reset requests per email address and hour (the per-IP limit is RATE_LIMIT_LOGIN_PER_MIN) */
  RATE_LIMIT_PASSWORD_RESET_PER_HOUR: int(1, 1_000_000).default(5),
  /** who may create an account: anyone, only people with an invitation, or only administrators */
  REGISTRATION: z.enum(['open', 'invite', 'closed']).optional(),
  /** whether an account whose address is not verified may sign in: no (required), yes (optional), no emails at all (off) */
  EMAIL_VERIFICATION: z.enum(['required', 'optional', 'off']).default('optional'),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  TRUST_PROXY: z.string().optional(),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(8).max(256).optional(),
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  SHUTDOWN_TIMEOUT_MS: int(100, 120_000).default(10_000),
  // overload shedding (503 + Retry-After): event-loop lag and requests queued for a database connection;
  // by default on in production on PostgreSQL only (see src/http/pressure.ts), 0 turns a check off
  PRESSURE_MAX_EVENT_LOOP_DELAY_MS: int(0, 60_000).optional(),
  PRESSURE_MAX_DB_WAITING: int(0, 100_000).optional(),
  PRESSURE_RETRY_AFTER_S: int(1, 3600).default(2),
})

export type Env = z.infer<typeof EnvSchema>
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
