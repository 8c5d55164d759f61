import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'

/**
 * A dependency /ready reports on. `critical` ones (database, storage) turn the answer into 503
 * when down; the others (Redis) only into `degraded`, because the instance still serves without them.
 */
export interface ReadinessCheck {
  name: string
  critical: boolean
  check(): Promise<void>
}

const DependencyState = z.enum(['ok', 'down', 'degraded'])
const Readiness = z
  .object({
    status: z.enum(['ok', 'degraded', 'unavailable']),
    checks: z.record(z.string().max(50), DependencyState),
  })
  .meta({ id: 'Readiness' })

export const opsRoutes: FastifyPluginAsyncZod<{ checks: ReadinessCheck[] }> = async (app, { checks }) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness',
        operationId: 'health',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  )

  app.get(
    '/ready',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness, with the state of each dependency',
        operationId: 'ready',
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (req, reply) => {
      const results = await Promise.all(
        checks.map(async (c) => {
          try {
            await c.check()
            return [c.name, 'ok'] as const
          } catch (err) {
            req.log.warn({ dependency: c.name, err }, 'readiness check failed')
            return [c.name, c.critical ? 'down' : 'degraded'] as const
          }
        }),
      )
      const states = results.map(([, s]) => s)
      const status = states.includes('down') ? 'unavailable' : states.includes('degraded') ? 'degraded' : 'ok'
      return reply.code(status === 'unavailable' ? 503 : 200).send({ status, checks: Object.fromEntries(results) })
    },
  )
}
