import type { Logger } from 'pino'
import { Registry } from 'prom-client'
import type { Config } from './config.ts'
import type { Database } from './db/client.ts'
import { openConfiguredReplica } from './db/open.ts'
import { createReads, type Reads } from './db/replica.ts'
import { createMetrics, type Metrics, processMetrics } from './http/metrics.ts'
import type { Cache } from './infra/cache.ts'
import { createInfra, type Infra } from './infra/index.ts'
import { type Mailer, openMailer } from './infra/mailer.ts'
import type { PubSub } from './infra/pubsub.ts'
import { createQueue, lazyQueue, type Queue, queueSettings } from './infra/queue.ts'
import type { RateLimitStore } from './infra/rate-limit.ts'
import type { ReadinessCheck } from './infra/readiness.ts'
import type { Storage } from './infra/storage.ts'
import { openStorage, storageCheck } from './infra/storage-open.ts'
import type { StreamSlots } from './infra/stream-slots.ts'
import { jobDefinitions } from './jobs.ts'
import { instrumentLogDispatch } from './modules/activity/index.ts'
import {
  createIdentity,
  type Identity,
  instrumentAuthCaches,
  secretBox,
  ssoClient,
  wireInvalidation,
} from './modules/auth/index.ts'
import { createEventHub, type EventHub, eventHubMetrics } from './modules/events/index.ts'
import { createListCache, instrumentListCache, type ListCache } from './modules/tasks/index.ts'
import { createPersonalTeam } from './modules/teams/index.ts'
import { instrumentWebhookDeliveries } from './modules/webhooks/index.ts'

/**
 * Everything the API's modules use, opened once by openDeps and handed to each module's routes as
 * their options (a route names the ones it needs). buildApp decorates the app with a few of them
 * (config, database, queue, …) for callers outside it (server.ts, tests); no route reads those.
 */
export interface Deps {
  config: Config
  database: Database
  logger: Logger
  /** object storage: S3 with S3_BUCKET, the local STORAGE_DIR otherwise */
  storage: Storage
  /** background jobs: pg-boss on this database, running no handlers (server.ts may start them) */
  queue: Queue
  /** the read replica DATABASE_REPLICA_URL names, if any */
  replica: Database | undefined
  /** heavy reads: on the replica when configured and caught up, on the primary otherwise */
  reads: Reads
  /** rate-limit counters, cache, pub/sub and stream slots: Redis with REDIS_URL, memory otherwise */
  limits: RateLimitStore
  cache: Cache
  pubsub: PubSub
  /** open event streams per user (the per-user limit holds across instances on one Redis) */
  streams: StreamSlots
  /** email: SMTP_URL, or the outbox under DATA_DIR */
  mailer: Mailer
  /** /metrics: the registry and what it reads */
  metrics: Metrics
  /** what /ready checks: the database, storage, the replica, Redis (and any the caller adds) */
  checks: ReadinessCheck[]
  /** tokens, user state and the authenticator (the auth module) */
  identity: Identity
  /** TOTP secrets and the OIDC sign-in flow (the auth module) */
  twoFactor: { db: Database['db']; box: ReturnType<typeof secretBox> }
  sso: ReturnType<typeof ssoClient>
  /** open event streams (the events module) */
  hub: EventHub
  /** task list answers (the tasks module) */
  listCache: ListCache
  /** ends the open event streams: before the server stops accepting, or they hold the close until its deadline */
  endStreams(): Promise<void>
  /** closes what openDeps opened (not what the caller passed in, except infra: see below) */
  close(): Promise<void>
}

export interface OpenDeps {
  config: Config
  /** opened (and migrated) by the caller, which closes it after the app */
  database: Database
  logger: Logger
  /** extra readiness checks besides the database, storage, replica and Redis */
  checks?: ReadinessCheck[] | undefined
  /** Redis or memory (see createInfra); by default memory. Closed with the rest, given or not. */
  infra?: Infra
  /** given ones are not closed by close() */
  storage?: Storage
  queue?: Queue
  replica?: Database
  mailer?: Mailer
  /** how often open event streams get a heartbeat and a check of their credentials (15 s) */
  eventHeartbeatMs?: number | undefined
}

/** Opens every dependency of the API once, in order, and returns them with one close. */
export async function openDeps({ config, database, logger, checks = [], ...given }: OpenDeps): Promise<Deps> {
  const closers: (() => unknown)[] = []
  const infra = given.infra ?? createInfra({}, logger)
  closers.push(() => infra.close())
  const storage = given.storage ?? (await openStorage(config))
  if (!given.storage) closers.push(() => storage.close())
  const replica = given.replica ?? (await openConfiguredReplica(config, database, logger))
  if (replica && !given.replica) closers.push(() => replica.close())
  const reads = createReads({ primary: database, replica, log: logger })
  const mailer = given.mailer ?? openMailer(config)
  if (!given.mailer) closers.push(() => mailer.close())

  const metrics = createMetrics(database, infra, {
    replicaReads: () => (replica ? reads.stats : {}),
    replicaPool: () => replica?.poolStats() ?? null,
  })

  let queue = given.queue
  if (!queue) {
    const jobs = { config, database, logger, storage, mailer, registry: metrics.registry }
    const lazy = lazyQueue(() => openJobQueue(jobs))
    // started now rather than on first use: on the embedded database, a first send inside a
    // transaction would wait on that very transaction; with the database down it starts on first use
    await lazy.open().catch((err) => logger.warn({ err }, 'job queue not started (database unavailable?)'))
    // running jobs get part of the grace period; those still running then go back to the queue
    closers.unshift(() => lazy.stop(Math.floor(config.SHUTDOWN_TIMEOUT_MS * 0.6)))
    queue = lazy
  }
  instrumentJobs(metrics.registry, { database, queue, logger })
  instrumentWebhookDeliveries(metrics.registry, database)

  // the modules' figures sit with them, each registered on the one registry
  const identity = createIdentity({ db: database.db, config, log: logger, onUserCreated: createPersonalTeam })
  wireInvalidation(identity, infra.pubsub)
  const hub = createEventHub({
    database,
    states: identity.states,
    log: logger,
    metrics: eventHubMetrics(metrics.registry, () => hub.size),
    heartbeatMs: given.eventHeartbeatMs,
  })
  identity.onCredentialsChanged((userId) => void hub.credentialsChanged(userId))
  const listCache = createListCache({
    database,
    follower: hub.follower,
    pubsub: infra.pubsub,
    log: logger,
    maxBytes: config.LIST_CACHE_MAX_BYTES,
    maxEntries: config.LIST_CACHE_MAX_ENTRIES,
  })
  closers.unshift(() => listCache.close())
  instrumentListCache(metrics.registry, listCache)
  instrumentAuthCaches(metrics.registry, identity)

  // every read the replica cannot serve goes to the primary: down, it degrades the instance, no more
  const replicaChecks: ReadinessCheck[] = replica
    ? [{ name: 'replica', critical: false, check: () => replica.ping() }]
    : []
  return {
    config,
    database,
    logger,
    storage,
    queue,
    replica,
    reads,
    // each 429 counted on /metrics by limit (http/rate-limit.ts tells the store)
    limits: { ...infra.limits, rejected: (limit) => metrics.rateLimited.inc({ limit }) },
    cache: infra.cache,
    pubsub: infra.pubsub,
    streams: infra.streams,
    mailer,
    metrics,
    checks: [
      { name: 'database', critical: true, check: () => database.ping() },
      storageCheck(storage),
      ...replicaChecks,
      ...infra.checks,
      ...checks,
    ],
    identity,
    twoFactor: { db: database.db, box: secretBox(config.JWT_SECRET) },
    sso: ssoClient(config, secretBox(config.JWT_SECRET, 'sso-flow-v1'), logger),
    hub,
    listCache,
    endStreams: () => hub.close(),
    close: () => closeAll(closers),
  }
}

/**
 * What a worker process uses, and no more (no HTTP, identity, event streams or caches): its jobs'
 * storage and mailer, the job queue with every handler (not yet working: the worker starts it), and
 * with WORKER_METRICS_PORT the registry its jobs count into.
 */
export interface WorkerDeps {
  storage: Storage
  mailer: Mailer
  queue: Queue
  /** the worker's /metrics (process, jobs, queue, log dispatch); undefined without WORKER_METRICS_PORT */
  registry: Registry | undefined
  /** stops the queue (running jobs get 80 % of SHUTDOWN_TIMEOUT_MS, the rest go back for a retry), then storage and the mailer */
  close(): Promise<void>
}

/** Opens what a worker's jobs use, once, on a database the caller opened and migrated (and closes after). */
export async function openWorkerDeps({
  config,
  database,
  logger,
}: Pick<OpenDeps, 'config' | 'database' | 'logger'>): Promise<WorkerDeps> {
  const storage = await openStorage(config)
  const mailer = openMailer(config)
  const closers: (() => unknown)[] = [() => storage.close(), () => mailer.close()]
  try {
    // what this worker's jobs count (runs by kind and outcome, emails, webhook deliveries) is only
    // known here: served on WORKER_METRICS_PORT when set
    const registry = config.WORKER_METRICS_PORT === undefined ? undefined : new Registry()
    const queue = await openJobQueue({ config, database, logger, storage, mailer, registry })
    closers.unshift(() => queue.stop(Math.floor(config.SHUTDOWN_TIMEOUT_MS * 0.8)))
    if (registry) {
      processMetrics(registry, database)
      instrumentJobs(registry, { database, queue, logger })
    }
    return { storage, mailer, queue, registry, close: () => closeAll(closers) }
  } catch (err) {
    await closeAll(closers).catch(() => {})
    throw err
  }
}

/** The job queue on this database, with every kind of job's handler (jobs.ts), counting into `registry`. */
const openJobQueue = ({
  config,
  database,
  logger,
  ...deps
}: {
  config: Config
  database: Database
  logger: Logger
  storage: Storage
  mailer: Mailer
  registry?: Registry
}) => createQueue({ database, logger, jobs: jobDefinitions({ config, database, ...deps }), ...queueSettings(config) })

/** The queue's depth and runs, and the log dispatcher's set-aside entries, on a process's /metrics. */
function instrumentJobs(
  registry: Registry,
  { database, queue, logger }: { database: Database; queue: Queue; logger: Logger },
) {
  queue.instrument(registry)
  instrumentLogDispatch(registry, database.db, logger)
}

/** Runs every closer in order, each even when one before it failed; the first failure is thrown after. */
async function closeAll(closers: (() => unknown)[]): Promise<void> {
  const failures: unknown[] = []
  for (const close of closers)
    await Promise.resolve()
      .then(close)
      .catch((err) => failures.push(err))
  if (failures.length) throw failures[0]
}
