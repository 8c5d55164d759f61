import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerFactory } from 'fastify'
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Logger } from 'pino'
import type { Config } from './config.ts'
import type { Database } from './db/client.ts'
import { openConfiguredReplica } from './db/open.ts'
import { createReads, type Reads } from './db/replica.ts'
import { registerAccessChecks, registerAuth } from './http/auth.ts'
import { registerCors } from './http/cors.ts'
import { registerErrorHandling } from './http/error-handler.ts'
import { parserError, refuseWhileClosing, routerError } from './http/framework-errors.ts'
import { registerIdempotency } from './http/idempotency.ts'
import { createMetrics, type Metrics, registerMetrics } from './http/metrics.ts'
import { registerOpenApi } from './http/openapi.ts'
import { registerImpliedAnswers } from './http/openapi-answers.ts'
import { registerPressure } from './http/pressure.ts'
import { registerRateLimit } from './http/rate-limit.ts'
import { RequestLog } from './http/request-log.ts'
import { registerSecurityHeaders } from './http/security-headers.ts'
import { responseSerializerCompiler } from './http/serializer.ts'
import { registerStrictQuery } from './http/strict-query.ts'
import { appShell, registerWebApp, webAppDir } from './http/web-app.ts'
import { createInfra, type Infra } from './infra/index.ts'
import { createQueue, lazyQueue, type Queue, queueSettings } from './infra/queue.ts'
import type { ReadinessCheck } from './infra/readiness.ts'
import type { Storage } from './infra/storage.ts'
import { openStorage, storageCheck } from './infra/storage-open.ts'
import { jobDefinitions } from './jobs.ts'
import { requestIdOf } from './lib/ids.ts'
import { activityRoutes } from './modules/activity/activity.routes.ts'
import { adminAccountsRoutes } from './modules/admin/admin-accounts.routes.ts'
import { adminTasksRoutes } from './modules/admin/admin-tasks.routes.ts'
import { adminUsersRoutes } from './modules/admin/admin-users.routes.ts'
import { attachmentsRoutes } from './modules/attachments/attachments.routes.ts'
import { accountRoutes } from './modules/auth/account.routes.ts'
import { authRoutes } from './modules/auth/auth.routes.ts'
import { emailVerificationRoutes } from './modules/auth/email-verification.routes.ts'
import { createIdentity, type Identity, wireInvalidation } from './modules/auth/identity.ts'
import { ssoRoutes } from './modules/auth/sso.routes.ts'
import { ssoClient } from './modules/auth/sso.ts'
import { twoFactorRoutes } from './modules/auth/two-factor.routes.ts'
import { secretBox } from './modules/auth/two-factor.ts'
import { commentsRoutes } from './modules/comments/comments.routes.ts'
import { dashboardRoutes } from './modules/dashboard/dashboard.routes.ts'
import { createEventHub } from './modules/events/event-hub.ts'
import { eventsRoutes } from './modules/events/events.routes.ts'
import { jobsRoutes } from './modules/jobs/jobs.routes.ts'
import { notesRoutes } from './modules/notes/notes.routes.ts'
import { opsRoutes } from './modules/ops/ops.routes.ts'
import { projectsRoutes } from './modules/projects/projects.routes.ts'
import { tagsRoutes } from './modules/tags/tags.routes.ts'
import { createListCache } from './modules/tasks/list-cache.ts'
import { tasksRoutes } from './modules/tasks/tasks.routes.ts'
import { invitationsRoutes } from './modules/teams/invitations.routes.ts'
import { membersRoutes } from './modules/teams/members.routes.ts'
import { createPersonalTeam } from './modules/teams/personal-team.ts'
import { teamsRoutes } from './modules/teams/teams.routes.ts'
import { tokensRoutes } from './modules/tokens/tokens.routes.ts'
import { usersRoutes } from './modules/users/users.routes.ts'
import { instrumentLogDispatch } from './modules/webhooks/log-dispatch-failures.ts'
import { webhooksRoutes } from './modules/webhooks/webhooks.routes.ts'
import { VERSION } from './version.ts'

export interface AppDeps {
  config: Config
  database: Database
  logger: Logger
  /** extra readiness checks (storage, Redis) besides the database */
  checks?: ReadinessCheck[]
  /** rate limits, cache and pub/sub: in memory by default, Redis when configured (see createInfra) */
  infra?: Infra
  /** object storage: S3 with S3_BUCKET, the local STORAGE_DIR otherwise */
  storage?: Storage
  /** background jobs; by default pg-boss on this database, running no handlers (server.ts may start them) */
  queue?: Queue
  /** a read replica for heavy reads; by default the one DATABASE_REPLICA_URL names (closed with the app) */
  replica?: Database
  /** the HTTP server to build on (server.ts: one already listening, see early-listener.ts) */
  serverFactory?: FastifyServerFactory
  /** how often open event streams get a heartbeat and a check of their credentials (15 s) */
  eventHeartbeatMs?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    database: Database
    metrics: Metrics
    identity: Identity
    infra: Infra
    storage: Storage
    queue: Queue
    /** heavy reads: on the replica when configured and caught up, on the primary otherwise */
    reads: Reads
  }
}

// Fastify takes a hop count too, though its types only list string | boolean | string[]
function trustProxy(value: string | undefined): boolean | string | string[] {
  if (!value || value === 'false') return false
  if (value === 'true') return true
  if (/^\d+$/.test(value)) return Number(value) as unknown as string
  return value.split(',').map((s) => s.trim())
}

/** Builds the HTTP application without listening: the server and the tests both use it. */
export async function buildApp({
  config,
  database,
  logger,
  checks = [],
  infra = createInfra({}, logger),
  ...deps
}: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    ...(deps.serverFactory ? { serverFactory: deps.serverFactory } : {}),
    genReqId: (req) => requestIdOf(req.headers['x-request-id']),
    // one line per request (Fastify's default is two, probes included)
    logController: new RequestLog(),
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: trustProxy(config.TRUST_PROXY),
    // explicit timeouts: slow clients cannot hold sockets forever, idle keep-alive outlives a typical LB's 60 s
    requestTimeout: 30_000,
    keepAliveTimeout: 72_000,
    connectionTimeout: 0,
    // the router's refusals, the parser's and the closing app's are problems too (framework-errors.ts)
    return503OnClosing: false,
    frameworkErrors: routerError,
    clientErrorHandler: parserError,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<ZodTypeProvider>()
  // first, so that every route after it documents the answers its configuration implies
  registerImpliedAnswers(app)

  // JSON in, JSON out: a text body on a JSON route is a 415, not a string that fails validation
  app.removeContentTypeParser('text/plain')
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(responseSerializerCompiler({ checked: config.NODE_ENV !== 'production' }))
  app.decorate('config', config)
  app.decorate('database', database)
  app.decorate('metrics', createMetrics(database, infra))
  const storage = deps.storage ?? openStorage(config)
  let queue = deps.queue
  if (!queue) {
    const jobs = jobDefinitions({ config, database, storage, registry: app.metrics.registry })
    const lazy = lazyQueue(() => createQueue({ database, logger, jobs, ...queueSettings(config) }))
    // started now rather than on first use: on the embedded database, a first send inside a
    // transaction would wait on that very transaction; with the database down it starts on first use
    await lazy.open().catch((err) => logger.warn({ err }, 'job queue not started (database unavailable?)'))
    // running jobs get part of the grace period; those still running then go back to the queue
    app.addHook('onClose', () => lazy.stop(Math.floor(config.SHUTDOWN_TIMEOUT_MS * 0.6)))
    queue = lazy
  }
  if (!deps.storage) app.addHook('onClose', () => storage.close())
  const replica = deps.replica ?? (await openConfiguredReplica(config, database, logger))
  if (replica && !deps.replica) app.addHook('onClose', () => replica.close())
  const reads = createReads({ primary: database, replica, log: logger })
  app.decorate('reads', reads)
  if (replica) app.metrics.replicaReads = () => reads.stats
  app.metrics.replicaPool = () => replica?.poolStats() ?? null
  queue.instrument(app.metrics.registry)
  instrumentLogDispatch(app.metrics.registry, database.db, logger)
  app.decorate('storage', storage)
  app.decorate('queue', queue)
  app.decorate('infra', infra)

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id)
  })
  refuseWhileClosing(app)
  const webDir = webAppDir(config.WEB_DIR)
  registerErrorHandling(app, { shell: webDir ? appShell : undefined })
  await registerPressure(app, config, () => database.poolStats()?.waiting ?? 0)

  await registerSecurityHeaders(app)
  await registerCors(app, config.CORS_ORIGINS)
  await registerOpenApi(app, { version: VERSION, publicUrl: config.PUBLIC_URL })
  registerMetrics(app, app.metrics, config.METRICS_TOKEN)
  if (webDir) await registerWebApp(app, webDir)
  else logger.warn({ dir: config.WEB_DIR }, 'the web app is not built: / answers 404 (npm run build:web builds it)')

  const dbCheck: ReadinessCheck = { name: 'database', critical: true, check: () => database.ping() }
  // every read the replica cannot serve goes to the primary: down, it degrades the instance, no more
  const replicaChecks: ReadinessCheck[] = replica
    ? [{ name: 'replica', critical: false, check: () => replica.ping() }]
    : []
  await app.register(opsRoutes, {
    checks: [dbCheck, storageCheck(storage), ...replicaChecks, ...infra.checks, ...checks],
  })

  const identity = createIdentity({ db: database.db, config, log: logger, onUserCreated: createPersonalTeam })
  app.decorate('identity', identity)
  app.metrics.authCaches = () => identity.cacheStats
  registerAuth(app, identity.authenticate)
  registerStrictQuery(app)
  registerRateLimit(app, infra.limits, config)
  registerAccessChecks(app)
  registerIdempotency(app, database.db)
  app.addHook('onClose', () => infra.close())
  const hub = createEventHub({
    database,
    states: identity.states,
    log: logger,
    metrics: { delivered: (lag) => app.metrics.eventLag.observe(lag) },
    heartbeatMs: deps.eventHeartbeatMs,
  })
  app.metrics.openStreams = () => hub.size
  identity.onCredentialsChanged((userId) => void hub.credentialsChanged(userId))
  // before the server stops accepting: open streams would otherwise hold the close until its deadline
  app.addHook('preClose', () => hub.close())
  const listCache = createListCache({
    database,
    follower: hub.follower,
    pubsub: infra.pubsub,
    log: logger,
    maxBytes: config.LIST_CACHE_MAX_BYTES,
    maxEntries: config.LIST_CACHE_MAX_ENTRIES,
  })
  app.metrics.listCache = () => listCache.stats
  app.addHook('onClose', () => listCache.close())
  wireInvalidation(identity, infra.pubsub)
  const twoFactor = { db: database.db, box: secretBox(config.JWT_SECRET) }
  const sso = ssoClient(config, secretBox(config.JWT_SECRET, 'sso-flow-v1'), logger)

  await app.register(
    async (api) => {
      await api.register(authRoutes, { identity, limits: infra.limits, config, queue, twoFactor })
      await api.register(accountRoutes, { identity, limits: infra.limits, config, queue })
      await api.register(twoFactorRoutes, { identity, config, limits: infra.limits, deps: twoFactor })
      await api.register(ssoRoutes, { identity, config, limits: infra.limits, twoFactor, sso })
      await api.register(emailVerificationRoutes, { config, limits: infra.limits, queue, states: identity.states })
      await api.register(usersRoutes, { listCache })
      await api.register(attachmentsRoutes, { storage, queue })
      await api.register(notesRoutes, { storage, queue })
      await api.register(tokensRoutes, { forgetTokens: identity.tokensRevoked })
      await api.register(adminUsersRoutes, { states: identity.states })
      await api.register(adminAccountsRoutes, {
        queue,
        userCreated: identity.userCreated,
        verification: config.EMAIL_VERIFICATION,
      })
      await api.register(eventsRoutes, { hub, identity, slots: infra.streams })
      await api.register(tasksRoutes, { queue, listCache })
      await api.register(commentsRoutes)
      await api.register(adminTasksRoutes, { queue })
      await api.register(teamsRoutes, { queue })
      await api.register(membersRoutes)
      await api.register(invitationsRoutes, { queue })
      await api.register(projectsRoutes, { queue })
      await api.register(tagsRoutes)
      await api.register(activityRoutes)
      await api.register(webhooksRoutes)
      await api.register(dashboardRoutes)
      await api.register(jobsRoutes, { limits: infra.limits })
    },
    { prefix: '/api/v1' },
  )

  return app
}
