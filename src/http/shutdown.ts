import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'

/**
 * Serves what has already reached the instance before it stops listening: resolves once every
 * accepted connection has sent its request and none arrived for `quietMs`, or after `maxMs`.
 */
export type Drain = (opts: { quietMs?: number; maxMs: number }) => Promise<void>

/**
 * Closing stops accepting and drops idle keep-alive connections, but a connection whose request is
 * still in flight would stay open for its whole keep-alive timeout afterwards and hold the shutdown
 * past its bound: once closing (or draining), every response tells the client to close the connection.
 *
 * Closing the listener also resets every connection the kernel accepted that the process has not
 * taken yet, and closing idle connections resets those taken whose request has not been read yet:
 * both are requests a client already sent. While the event loop is busy (the embedded database runs
 * its queries on it, one request after the other) that was most of them. The returned `drain`, run
 * before `app.close()`, keeps serving until they are all read. Register before the app is ready.
 */
export function closeConnectionsOnShutdown(app: FastifyInstance): Drain {
  let closing = false
  // connections taken whose first request has not been read yet
  const unread = new Set<Socket>()
  let lastArrival = Date.now()
  app.server.on('connection', (socket: Socket) => {
    lastArrival = Date.now()
    unread.add(socket)
    socket.once('close', () => unread.delete(socket))
  })
  app.server.on('request', (req) => {
    lastArrival = Date.now()
    unread.delete(req.socket)
  })
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close')
  })
  return async ({ quietMs = 200, maxMs }) => {
    closing = true
    const until = Date.now() + maxMs
    while (Date.now() < until && (unread.size > 0 || Date.now() - lastArrival < quietMs)) {
      await new Promise((r) => setTimeout(r, 20))
    }
  }
}
