import type { FastifyInstance } from 'fastify'

/**
 * Closing stops accepting and drops idle keep-alive connections, but a connection whose request is
 * still in flight would stay open for its whole keep-alive timeout afterwards and hold the shutdown
 * past its bound: once closing, every response tells the client to close the connection.
 * Register before the app is ready.
 */
export function closeConnectionsOnShutdown(app: FastifyInstance) {
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close')
  })
}
