import { type FastifyReply, type FastifyRequest, LogController } from 'fastify'

// load balancers and Prometheus ask these every few seconds: at info they would drown the log
const PROBES = new Set(['/health', '/ready', '/metrics'])
const isProbe = (req: FastifyRequest) => PROBES.has(req.routeOptions?.url ?? '')

/**
 * One log line per request, once it is answered ("request completed" with the method, URL, status
 * and time; reqId, like every line logged for the request), probes at debug; the arrival at debug.
 */
export class RequestLog extends LogController {
  override incomingRequest(request: FastifyRequest) {
    request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    const fields = { req: request, res: reply, responseTime: Math.round(reply.elapsedTime * 10) / 10 }
    if (error) reply.log.error({ ...fields, err: error }, 'request errored')
    else if (isProbe(request)) reply.log.debug(fields, 'request completed')
    else reply.log.info(fields, 'request completed')
  }
}
