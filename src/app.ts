import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerFactory } from 'fastify'
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Config } from './config.ts'
import type { Database } from './db/client.ts'
import type { Reads } from './db/replica.ts'
import type { Deps } from './deps.ts'
import { apiPlugin } from './http/api.ts'
import { registerCors } from './http/cors.ts'
import { registerErrorHandling } from './http/error-handler.ts'
import { parserError, refuseWhileClosing, routerError } from './http/framework-errors.ts'
import { type Metrics, registerMetrics } from './http/metrics.ts'
import { registerOpenApi } from './http/openapi.ts'
import { registerImpliedAnswers } from './http/openapi-answers.ts'
import { registerPressure } from './http/pressure.ts'
import { RequestLog } from './http/request-log.ts'
import { registerSecurityHeaders } from './http/security-headers.ts'
import { responseSerializerCompiler } from './http/serializer.ts'
import { appShell, registerWebApp, webAppDir } from './http/web-app.ts'
import type { Queue } from './infra/queue.ts'
import type { Storage } from './infra/storage.ts'
import { requestIdOf } from './lib/ids.ts'
import * as activity from './modules/activity/index.ts'
import * as admin from './modules/admin/index.ts'
import * as attachments from './modules/attachments/index.ts'
import type { Identity } from './modules/auth/index.ts'
import * as auth from './modules/auth/index.ts'
import * as comments from './modules/comments/index.ts'
import * as dashboard from './modules/dashboard/index.ts'
import * as events from './modules/events/index.ts'
import * as jobs from './modules/jobs/index.ts'
import * as notes from './modules/notes/index.ts'
import * as ops from './modules/ops/index.ts'
import * as projects from './modules/projects/index.ts'
import * as tags from './modules/tags/index.ts'
import type { ListCache } from './modules/tasks/index.ts'
import * as tasks from './modules/tasks/index.ts'
import * as teams from './modules/teams/index.ts'
import * as tokens from './modules/tokens/index.ts'
import * as users from './modules/users/index.ts'
import * as webhooks from './modules/webhooks/index.ts'
import { VERSION } from './version.ts'

export interface AppOptions {
  /** the HTTP server to build on (server.ts: one already listening, see early-listener.ts) */
  serverFactory?: FastifyServerFactory
}

declare module 'fastify' {
  // for callers outside the app (server.ts, tests): routes get what they use as options, never these
  interface FastifyInstance {
    config: Config
    database: Database
    metrics: Metrics
    identity: Identity
    storage: Storage
    queue: Queue
    /** heavy reads: on the replica when configured and caught up, on the primary otherwise */
    reads: Reads
    /** the task list cache (its stats: what /metrics reports of it) */
    listCache: ListCache
  }
}

// Fastify takes a hop count too, though its types only list string | boolean | string[]
function trustProxy(value: string | undefined): boolean | string | string[] {
  if (!value || value === 'false') return false
  if (value === 'true') return true
  if (/^\d+$/.test(value)) return Number(value) as unknown as string
  return value.split(',').map((s) => s.trim())
}

/**
 * Builds the HTTP application without listening, on dependencies openDeps opened (the server and the
 * tests both use it): the platform's plugins, then the API plugin with one line per module. The app
 * closes its dependencies with itself.
 */
export async function buildApp(deps: Deps, options: AppOptions = {}): Promise<FastifyInstance> {
  const { config, logger } = deps
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    ...(options.serverFactory ? { serverFactory: options.serverFactory } : {}),
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
  app.decorate('config', config)
  app.decorate('database', deps.database)
  app.decorate('metrics', deps.metrics)
  app.decorate('identity', deps.identity)
  app.decorate('storage', deps.storage)
  app.decorate('queue', deps.queue)
  app.decorate('reads', deps.reads)
  app.decorate('listCache', deps.listCache)
  // before the server stops accepting: open streams would otherwise hold the close until its deadline
  app.addHook('preClose', () => deps.endStreams())
  app.addHook('onClose', () => deps.close())

  // before any route: the web app's shell takes every GET path outside the routes' first segments
  const webDir = webAppDir(config.WEB_DIR)
  const shell = webDir ? appShell(app) : undefined
  // first, so that every route after it documents the answers its configuration implies
  registerImpliedAnswers(app)
  // JSON in, JSON out: a text body on a JSON route is a 415, not a string that fails validation
  app.removeContentTypeParser('text/plain')
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(responseSerializerCompiler({ checked: config.NODE_ENV !== 'production' }))
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id)
  })
  refuseWhileClosing(app)
  registerErrorHandling(app, { shell })
  await registerPressure(app, config, () => deps.database.poolStats()?.waiting ?? 0)
  await registerSecurityHeaders(app)
  await registerCors(app, config.CORS_ORIGINS)
  await registerOpenApi(app, { version: VERSION, config })
  registerMetrics(app, deps.metrics, config.METRICS_TOKEN)
  if (webDir) await registerWebApp(app, webDir)
  else logger.warn({ dir: config.WEB_DIR }, 'the web app is not built: / answers 404 (npm run build:web builds it)')
  await app.register(ops.routes, deps)

  // the API: its request pipeline (identify → rate limit → access → idempotency) is stated in http/api.ts
  const routes = async (api: FastifyInstance) => {
    await api.register(auth.routes, deps)
    await api.register(users.routes, deps)
    await api.register(attachments.routes, deps)
    await api.register(notes.routes, deps)
    await api.register(tokens.routes, deps)
    await api.register(admin.routes, deps)
    await api.register(events.routes, deps)
    await api.register(tasks.routes, deps)
    await api.register(comments.routes, deps)
    await api.register(teams.routes, deps)
    await api.register(projects.routes, deps)
    await api.register(tags.routes, deps)
    await api.register(activity.routes, deps)
    await api.register(webhooks.routes, deps)
    await api.register(dashboard.routes, deps)
    await api.register(jobs.routes, deps)
  }
  const { identity, limits, database } = deps
  await app.register(apiPlugin, {
    prefix: '/api',
    authenticate: identity.authenticate,
    redeemTicket: events.downloadTickets(database.db, identity),
    limits,
    config,
    db: database.db,
    routes: async (api) => {
      await api.register(routes, { prefix: '/v1' })
    },
  })
  return app
}
