import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { Database } from '../db/client.ts'
import type { Infra } from '../infra/index.ts'
import { buildCommit, VERSION } from '../version.ts'
import { bearerToken } from './auth.ts'
import { unauthorized } from './problem.ts'

/**
 * What every Tasklane process reports, the API and the worker alike: Node's process metrics (their
 * standard names, process_* and nodejs_*: dashboards expect them), the build, the database pool.
 */
export function processMetrics(registry: Registry, database: Database) {
  collectDefaultMetrics({ register: registry })
  new Gauge({
    name: 'tasklane_build_info',
    help: 'Always 1: the running version, the commit it was built from and the Node.js release',
    labelNames: ['version', 'commit', 'node'] as const,
    registers: [registry],
    collect() {
      this.set({ version: VERSION, commit: buildCommit(), node: process.versions.node }, 1)
    },
  })
  poolGauge(
    registry,
    'tasklane_db_pool_connections',
    'Database pool connections by state (absent for the embedded database)',
    () => database.poolStats(),
  )
}

const poolGauge = (registry: Registry, name: string, help: string, read: () => ReturnType<Database['poolStats']>) =>
  new Gauge({
    name,
    help,
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const stats = read()
      if (!stats) return
      this.set({ state: 'total' }, stats.total)
      this.set({ state: 'idle' }, stats.idle)
      this.set({ state: 'waiting' }, stats.waiting)
    },
  })

/**
 * What the replica's figures are read from when /metrics is scraped, each a function so that the
 * reads built after the registry can be named at construction. The modules' own figures (the event
 * hub's, the list cache's, the auth caches') are registered by their modules (src/deps.ts wires them).
 */
export interface MetricSources {
  /** heavy reads by outcome (see src/db/replica.ts); empty without a replica */
  replicaReads(): Record<string, number>
  /** the replica's pool figures (null without a replica) */
  replicaPool(): ReturnType<Database['poolStats']>
}

/** One registry per app instance (no module-level singletons), built once by openDeps (src/deps.ts). */
export function createMetrics(database: Database, infra: Infra, sources: MetricSources) {
  const registry = new Registry()
  processMetrics(registry, database)
  const requests = new Counter({
    name: 'tasklane_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'tasklane_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  })
  const fromStats = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset()
        this.inc(read())
      },
    })
  fromStats('tasklane_cache_hits_total', 'Cache hits', () => infra.stats.cacheHits)
  fromStats('tasklane_cache_misses_total', 'Cache misses', () => infra.stats.cacheMisses)
  fromStats(
    'tasklane_cache_errors_total',
    'Cache operations that failed (Redis unavailable)',
    () => infra.stats.cacheErrors,
  )
  fromStats(
    'tasklane_rate_limit_fallbacks_total',
    'Rate-limit checks served from per-instance memory because Redis was unavailable',
    () => infra.stats.rateLimitFallbacks,
  )
  const rateLimited = new Counter({
    name: 'tasklane_rate_limit_rejections_total',
    help: 'Requests answered 429, by limit',
    labelNames: ['limit'] as const,
    registers: [registry],
  })
  new Gauge({
    name: 'tasklane_redis_up',
    help: '1 when Redis answers, 0 when it is configured but unavailable (absent without REDIS_URL)',
    registers: [registry],
    collect() {
      const state = infra.redisState()
      if (state !== 'absent') this.set(state === 'up' ? 1 : 0)
    },
  })
  new Counter({
    name: 'tasklane_db_replica_reads_total',
    help: 'Heavy reads with DATABASE_REPLICA_URL by result: replica (served by it), behind (primary: the replica had not caught up with the team), error (primary: the replica failed), down (primary: resting after a failure)',
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      this.reset()
      for (const [result, n] of Object.entries(sources.replicaReads())) this.inc({ result }, n)
    },
  })
  poolGauge(
    registry,
    'tasklane_db_replica_pool_connections',
    'Read replica pool connections by state (absent without DATABASE_REPLICA_URL)',
    () => sources.replicaPool(),
  )
  return { registry, requests, duration, rateLimited }
}
export type Metrics = ReturnType<typeof createMetrics>

/** Whether a request's Authorization header carries METRICS_TOKEN (compared in constant time). */
export const tokenMatches = (header: string | undefined, expected: string) => {
  const a = Buffer.from(bearerToken(header) ?? '')
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

export function registerMetrics(app: FastifyInstance, metrics: Metrics, token?: string) {
  app.addHook('onResponse', async (req, reply) => {
    const labels = { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }
    metrics.requests.inc(labels)
    metrics.duration.observe(labels, reply.elapsedTime / 1000)
  })
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (token && !tokenMatches(req.headers.authorization, token))
      throw unauthorized('A valid METRICS_TOKEN is required')
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics())
  })
}
