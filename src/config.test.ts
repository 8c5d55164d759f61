import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONFIG_DOC_FILE, configurationDoc } from '../scripts/docs-config.ts'
import { ConfigError, EnvSchema, loadConfig } from './config.ts'

const tmp = () => mkdtempSync(join(tmpdir(), 'tasklane-config-'))
const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

describe('loadConfig', () => {
  it('gives embedded-mode defaults with no variables at all', () => {
    const dir = tmp()
    const config = loadConfig({ DATA_DIR: dir })
    expect(config.embeddedDb).toBe(true)
    expect(config.PORT).toBe(3000)
    expect(config.ACCESS_TOKEN_TTL).toBe(900)
    expect(config.STORAGE_DIR).toBe(join(dir, 'files'))
  })

  it('reports one line per bad variable, naming it', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'not a url',
      RATE_LIMIT_ENABLED: 'maybe',
      DATA_DIR: tmp(),
    })
    expect(problems).toHaveLength(3)
    expect(problems.find((p) => p.startsWith('PORT:'))).toBeTruthy()
    expect(problems.find((p) => p.startsWith('DATABASE_URL:'))).toBeTruthy()
    expect(problems.find((p) => p.startsWith('RATE_LIMIT_ENABLED:'))).toBeTruthy()
  })

  it('requires a 32-byte JWT_SECRET and a real database in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production', JWT_SECRET: 'short-secret-1234', DATA_DIR: tmp() })
    expect(problems).toEqual([
      expect.stringMatching(/^JWT_SECRET: required in production, at least 32 bytes/),
      expect.stringMatching(/^DATABASE_URL: required in production/),
    ])
  })

  it('allows the embedded database in production only when asked to', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(32),
      ALLOW_EMBEDDED_DB: 'true',
      DATA_DIR: tmp(),
    })
    expect(config.embeddedDb).toBe(true)
  })

  it('refuses a read replica of the embedded database', () => {
    const replica = { DATABASE_REPLICA_URL: 'postgres://replica.internal/tasklane', DATA_DIR: tmp() }
    expect(problemsOf(replica)).toEqual([expect.stringMatching(/^DATABASE_REPLICA_URL: needs DATABASE_URL/)])
    expect(problemsOf({ ...replica, DATABASE_URL: 'postgres://primary.internal/tasklane' })).toEqual([])
  })

  it('generates a JWT secret once in development and keeps it in DATA_DIR', () => {
    const dir = tmp()
    const first = loadConfig({ DATA_DIR: dir }).JWT_SECRET
    expect(first.length).toBeGreaterThanOrEqual(32)
    expect(existsSync(join(dir, 'jwt-secret'))).toBe(true)
    expect(readFileSync(join(dir, 'jwt-secret'), 'utf8').trim()).toBe(first)
    expect(loadConfig({ DATA_DIR: dir }).JWT_SECRET).toBe(first)
  })

  it('parses lists and booleans', () => {
    const config = loadConfig({
      CORS_ORIGINS: 'https://a.example, https://b.example',
      S3_FORCE_PATH_STYLE: 'true',
      DATA_DIR: tmp(),
    })
    expect(config.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example'])
    expect(config.S3_FORCE_PATH_STYLE).toBe(true)
  })

  it('parses per-queue job concurrency and refuses a malformed list', () => {
    const config = loadConfig({ JOB_QUEUE_CONCURRENCY: 'webhooks.deliver=40, attachments.extract=1', DATA_DIR: tmp() })
    expect(config.JOB_QUEUE_CONCURRENCY).toEqual({ 'webhooks.deliver': 40, 'attachments.extract': 1 })
    expect(config.JOB_CONCURRENCY).toBe(10)
    expect(problemsOf({ JOB_QUEUE_CONCURRENCY: 'webhooks.deliver', DATA_DIR: tmp() })[0]).toMatch(
      /^JOB_QUEUE_CONCURRENCY:/,
    )
    expect(problemsOf({ JOB_QUEUE_CONCURRENCY: 'webhooks.deliver=0', DATA_DIR: tmp() })[0]).toMatch(
      /^JOB_QUEUE_CONCURRENCY/,
    )
  })

  it('checks the single sign-on settings together', () => {
    const issuer = { OIDC_ISSUER: 'https://idp.example/realms/team', DATA_DIR: tmp() }
    // single sign-on alone needs no bearer audience
    const sso = loadConfig({
      ...issuer,
      OIDC_CLIENT_ID: 'tasklane',
      OIDC_ALLOWED_DOMAINS: 'Example.com, @corp.example',
    })
    expect(sso.OIDC_ALLOWED_DOMAINS).toEqual(['example.com', 'corp.example'])
    expect(sso.OIDC_SCOPES).toBe('openid email profile')
    expect(problemsOf(issuer)).toEqual(['OIDC_AUDIENCE or OIDC_CLIENT_ID: one is required when OIDC_ISSUER is set'])
    expect(problemsOf({ OIDC_CLIENT_ID: 'tasklane', DATA_DIR: tmp() })).toEqual([
      'OIDC_ISSUER: required when OIDC_CLIENT_ID is set',
    ])
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(32),
      ALLOW_EMBEDDED_DB: 'true',
      DATA_DIR: tmp(),
    }
    expect(problemsOf({ ...production, OIDC_ISSUER: 'http://idp.example', OIDC_CLIENT_ID: 'tasklane' })).toEqual([
      'OIDC_ISSUER: must be https in production when OIDC_CLIENT_ID is set',
    ])
  })
})

describe('.env.example', () => {
  const lines = readFileSync(new URL('../.env.example', import.meta.url), 'utf8')
    .split('\n')
    .map((l) => /^(?:# )?([A-Z][A-Z0-9_]*)=(.*)$/.exec(l))
    .filter((m) => m !== null)
  const listed = new Map(lines.map((m) => [m[1]!, m[2]!]))
  // what the schema gives for an unset variable, as it would be written in the file ('' when it depends)
  const defaultOf = (schema: { safeParse(v: undefined): { success: boolean; data?: unknown } }) => {
    const r = schema.safeParse(undefined)
    if (!r.success || r.data === undefined) return ''
    if (Array.isArray(r.data)) return r.data.join(',')
    if (typeof r.data === 'object' && r.data !== null) {
      return Object.entries(r.data)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    }
    return String(r.data)
  }

  it('lists every variable config.ts reads, once, with its default', () => {
    expect(lines.map((m) => m[1]).sort()).toEqual(Object.keys(EnvSchema.shape).sort())
    for (const [name, schema] of Object.entries(EnvSchema.shape)) {
      expect(`${name}=${listed.get(name)}`).toBe(`${name}=${defaultOf(schema)}`)
    }
  })
})

describe('docs/configuration.md', () => {
  it('is what `npm run docs:config` writes from the schema (run it after changing src/config.ts)', () => {
    expect(readFileSync(CONFIG_DOC_FILE, 'utf8')).toBe(configurationDoc())
  })

  it('names every variable, with the default the schema gives an unset one', () => {
    const doc = configurationDoc()
    for (const name of Object.keys(EnvSchema.shape)) expect(doc, name).toContain(`| \`${name}\``)
    expect(doc).toMatch(/\| `PORT` +\| integer 0–65535 +\| `3000` +\| HTTP port/)
    expect(doc).toMatch(/\| `RATE_LIMIT_ENABLED` +\| `true` or `false` .*\| `true` +\| /)
    expect(doc).toMatch(/\| `REGISTRATION` +\| `open`, `invite` or `closed` +\| `open`; `invite` in production +\| /)
  })
})
