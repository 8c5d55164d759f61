import { existsSync } from 'node:fs'
import { join } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** Answers a request the router did not match with the app's index.html; false when it is not an app route. */
export type AppShell = (req: FastifyRequest, reply: FastifyReply) => boolean

// Vite names every file under assets/ by its content hash: a changed file gets a new name, so a
// year-long cache never serves a stale one. Everything else (index.html) is revalidated each time.
const IMMUTABLE = 'public, max-age=31536000, immutable'
const REVALIDATE = 'no-cache'

// the reference at /docs needs inline scripts; the app runs none, so its page forbids them: a script
// injected into it cannot run, which is what keeps the session in localStorage out of reach
function withoutInlineScripts(reply: FastifyReply) {
  const policy = reply.getHeader('content-security-policy')
  if (typeof policy === 'string') {
    reply.header(
      'content-security-policy',
      policy.replace(
        /script-src ([^;]*)/,
        (_, sources: string) =>
          `script-src ${sources
            .split(' ')
            .filter((s) => s !== "'unsafe-inline'")
            .join(' ')}`,
      ),
    )
  }
}

// the first path segment of a route: '' for `/`, undefined for a parametric or wildcard one (the web
// app's own `/*`), which reserves nothing
const firstSegment = (url: string): string | undefined => {
  const segment = url.split('/')[1] ?? ''
  return /[*:]/.test(segment) ? undefined : segment
}

/** The built web app in `dir`, when it is there (npm start and npm run build make it). */
export function webAppDir(dir: string): string | undefined {
  return existsSync(join(dir, 'index.html')) ? dir : undefined
}

/**
 * The web app's index.html for its own routes (/tasks/…), which the error handler's not-found path
 * asks first. Its routes are every GET path outside the first segments the server's routes take
 * (`/api`, `/docs`, `/health`, … as registered, in any plugin: the hook is on the root, so call this
 * before any route is added) and that is not a file: a missing chunk must fail as a 404, not come
 * back as HTML that the browser then refuses to run as a script.
 */
export function appShell(app: FastifyInstance): AppShell {
  const reserved = new Set<string>()
  app.addHook('onRoute', (route) => {
    const segment = firstSegment(route.url)
    if (segment) reserved.add(segment)
  })
  const isAppRoute = (req: FastifyRequest) => {
    const path = req.url.split('?')[0] ?? '/'
    return (
      (req.method === 'GET' || req.method === 'HEAD') &&
      !reserved.has(path.split('/')[1] ?? '') &&
      !/\.[^/]*$/.test(path)
    )
  }
  return (req, reply) => {
    if (!isAppRoute(req)) return false
    reply.header('cache-control', REVALIDATE)
    withoutInlineScripts(reply)
    void reply.sendFile('index.html')
    return true
  }
}

/**
 * Serves the built web app at `/`: hashed assets cached for a year, index.html revalidated, and
 * pre-compressed `.br`/`.gz` twins sent to clients that accept them.
 */
export async function registerWebApp(app: FastifyInstance, dir: string): Promise<void> {
  await app.register(fastifyStatic, {
    root: dir,
    preCompressed: true,
    cacheControl: false,
    // files are looked up per request, so a rebuild needs no restart
    wildcard: true,
    setHeaders: (reply, path) => {
      reply.header('cache-control', path.includes('/assets/') ? IMMUTABLE : REVALIDATE)
      if (path.endsWith('.html')) withoutInlineScripts(reply)
    },
  })
}
