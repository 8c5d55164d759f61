import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'
import helmet from 'helmet'

// helmet's own default, sent only where it means something (below)
const HSTS = 'max-age=31536000; includeSubDomains'

/**
 * The headers helmet sets with these options, worked out once. @fastify/helmet built helmet's
 * middleware (and parsed the policy's directives) again for every request: 8.9 % of the busy time
 * of a cached GET /tasks/:id (bench/RESULTS.md). Nothing in them depends on the request.
 */
function helmetHeaders(): [string, string][] {
  const headers = new Map<string, string>()
  const res = {
    setHeader: (name: string, value: string) => headers.set(name.toLowerCase(), value),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
  }
  helmet({
    hsts: false,
    contentSecurityPolicy: {
      // the /docs page is the only HTML served; it runs its bundled script inline, without any CDN
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
  })({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err
  })
  return [...headers]
}

/**
 * Helmet's headers, with the two that assume TLS sent only over TLS. Over plain HTTP under a host
 * name other than localhost (a LAN name, the Docker image on 0.0.0.0) `upgrade-insecure-requests`
 * makes the browser fetch the page's own scripts over https, which fails and leaves /docs blank;
 * HSTS over plain HTTP is ignored at best. Over TLS — the socket's own, or a trusted proxy's
 * `X-Forwarded-Proto` per TRUST_PROXY — both are sent as helmet would. Set on the raw response, as
 * helmet does, so that answers written past Fastify (an event stream) carry them too.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  const headers = helmetHeaders()
  const policy = headers.find(([name]) => name === 'content-security-policy')?.[1]
  app.addHook('onRequest', (req, reply, done) => {
    const res = reply.raw
    for (const [name, value] of headers) res.setHeader(name, value)
    if (req.protocol === 'https') {
      res.setHeader('strict-transport-security', HSTS)
      if (policy) res.setHeader('content-security-policy', `${policy};upgrade-insecure-requests`)
    }
    done()
  })
}
