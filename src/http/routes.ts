import type {
  FastifyContextConfig,
  FastifyInstance,
  FastifyPluginOptions,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
} from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { z } from 'zod'
import { IfNoneMatchHeaders, NotModified } from './conditional.ts'
import { etagOf, sendEtag } from './etag.ts'
import { errors, IdParams, IfMatchHeaders, noContent } from './schemas.ts'

/**
 * The routes of one versioned resource at `/<resources>/:id`, each registered with its schema and
 * its conditional-request handling together, so the document and the behaviour cannot drift apart:
 * - `getOne`: ETag on 200; `If-None-Match` naming it → 304
 * - `writeOne` (PATCH, PUT): the resource with its new ETag; `If-Match` documented, 412 when stale
 * - `deleteOne`: `If-Match` documented, 412 when stale; 204
 * The handler is the service call; it reads `If-Match` itself (`expectedVersion(req)`), since the
 * service applies it inside its own query.
 */

type Versioned = { version: number }
/** A request to `/<resources>/:id` once validated. */
type ById<Body = unknown> = FastifyRequest<{ Params: z.output<typeof IdParams>; Body: Body }>

interface OneRoute<Doc> {
  config: FastifyContextConfig
  /** what the OpenAPI document says of the route: tags, summary, operationId (and a body, for writes) */
  schema: Doc
  /** the error answers besides the ones every route shares (412 is added to writes) */
  errors: number[]
}
type Doc = { tags: string[]; summary: string; operationId: string }
/** The ETag of a resource: by default its version; a body that shows more (a team: the caller's role) says so. */
type EtagOf<R> = (resource: R) => string
const byVersion = (resource: Versioned) => etagOf(resource.version)

type App = Parameters<FastifyPluginAsyncZod>[0]
type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>

/** One route at `url` with the id in its path and one conditional header documented. */
function register(
  app: App,
  method: 'GET' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  route: OneRoute<Doc>,
  conditional: { headers: FastifySchema['headers']; response: FastifySchema['response'] },
  handler: Handler,
): void {
  // The type provider cannot resolve a schema that is still generic, so the route is registered
  // through the untyped instance; each handler's request type is what this schema validates.
  const untyped = app as unknown as FastifyInstance
  const schema: FastifySchema = { ...route.schema, params: IdParams, ...conditional }
  untyped.route({ method, url, config: route.config, schema, handler })
}

/**
 * Answers a GET from somewhere cheaper than its handler when it can (a cache), given how to read the
 * resource and its ETag; it sends the answer itself (ETag and 304 included).
 */
type Through<R> = (req: ById, reply: FastifyReply, read: () => Promise<R>, etag: EtagOf<R>) => Promise<FastifyReply>

export function getOne<R extends z.ZodType<Versioned>>(
  app: App,
  url: string,
  route: OneRoute<Doc> & {
    resource: R
    etag?: EtagOf<z.output<R>>
    handler: (req: ById) => Promise<z.output<R>>
    through?: Through<z.output<R>>
  },
): void {
  const etag = route.etag ?? byVersion
  const response = { 200: route.resource, 304: NotModified, ...errors(...route.errors) }
  const { through } = route
  register(app, 'GET', url, route, { headers: IfNoneMatchHeaders, response }, async (req, reply) => {
    if (through) return through(req as ById, reply, () => route.handler(req as ById), etag)
    const resource = await route.handler(req as ById)
    return sendEtag(req, reply, etag(resource)) ? reply : resource
  })
}

export function writeOne<R extends z.ZodType<Versioned>, B extends z.ZodType>(
  app: App,
  method: 'PATCH' | 'PUT',
  url: string,
  route: OneRoute<Doc & { body: B }> & {
    resource: R
    etag?: EtagOf<z.output<R>>
    handler: (req: ById<z.output<B>>) => Promise<z.output<R>>
  },
): void {
  const etag = route.etag ?? byVersion
  const response = { 200: route.resource, ...errors(...route.errors, 412) }
  register(app, method, url, route, { headers: IfMatchHeaders, response }, async (req, reply) => {
    const resource = await route.handler(req as ById<z.output<B>>)
    return reply.header('etag', etag(resource)).send(resource)
  })
}

export function deleteOne(
  app: App,
  url: string,
  route: OneRoute<Doc> & { handler: (req: ById) => Promise<unknown> },
): void {
  const response = { 204: noContent('Deleted'), ...errors(...route.errors, 412) }
  register(app, 'DELETE', url, route, { headers: IfMatchHeaders, response }, async (req, reply) => {
    await route.handler(req as ById)
    return reply.code(204).send(null)
  })
}

/** 201 with the created resource, its Location and its ETag. */
export const sendCreated = <R extends Versioned>(
  reply: FastifyReply,
  location: string,
  resource: R,
  etag: EtagOf<R> = byVersion,
) => reply.code(201).header('location', location).header('etag', etag(resource)).send(resource)

/** The options a route plugin takes (what a module's plugin that registers several of them passes on). */
export type OptionsOf<P> = P extends FastifyPluginAsyncZod<infer O> ? O : never

type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never

/**
 * A module's routes made of several route files: registered in order, each given the options
 * (the module's index exports it as `routes`); it takes what every one of them names.
 */
export function routesOf<P extends FastifyPluginAsyncZod<never>[]>(
  ...plugins: P
): FastifyPluginAsyncZod<Intersection<OptionsOf<P[number]>> & FastifyPluginOptions> {
  return async (app, deps) => {
    for (const plugin of plugins) await app.register(plugin, deps as never)
  }
}
