import helmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'

// helmet's own default, sent only where it means something (below)
const HSTS = 'max-age=31536000; includeSubDomains'

/**
 * Helmet's headers, with the two that assume TLS sent only over TLS. Over plain HTTP under a host
 * name other than localhost (a LAN name, the Docker image on 0.0.0.0) `upgrade-insecure-requests`
 * makes the browser fetch the page's own scripts over https, which fails and leaves /docs blank;
 * HSTS over plain HTTP is ignored at best. Over TLS — the socket's own, or a trusted proxy's
 * `X-Forwarded-Proto` per TRUST_PROXY — both are sent as helmet would.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
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
  })
  // after helmet's hook, which sets the policy this one extends
  app.addHook('onRequest', async (req, reply) => {
    if (req.protocol !== 'https') return
    reply.header('strict-transport-security', HSTS)
    const policy = reply.getHeader('content-security-policy')
    if (typeof policy === 'string') reply.header('content-security-policy', `${policy};upgrade-insecure-requests`)
  })
}
