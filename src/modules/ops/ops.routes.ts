import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { sendProblem } from '../../http/error-handler.ts'
import { notReady } from '../../http/problem.ts'
import { problemWith } from '../../http/schemas.ts'
import type { ReadinessCheck } from '../../infra/readiness.ts'

const DependencyState = z.enum(['ok', 'down', 'degraded'])
const Checks = z.record(z.string().max(50), DependencyState)
const Readiness = z.object({ status: z.enum(['ok', 'degraded']), checks: Checks }).meta({
  id: 'Readiness',
  description: 'Ready to serve; degraded when an optional dependency (Redis) is down',
})
const Health = z.object({ status: z.literal('ok') }).meta({ id: 'Health', description: 'The process is alive' })
// not ready is an error like any other: a problem, with each dependency's state as an extension
const ReadinessProblem = problemWith('ReadinessProblem', 'Not ready: a critical dependency is down', {
  checks: Checks,
})

export const opsRoutes: FastifyPluginAsyncZod<{ checks: ReadinessCheck[] }> = async (app, { checks }) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness',
        operationId: 'health',
        response: { 200: Health },
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
        response: { 200: Readiness, 503: ReadinessProblem },
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
      const byName = Object.fromEntries(results)
      const states = results.map(([, s]) => s)
      if (states.includes('down')) {
        // sent here rather than thrown: a failing probe is already logged above, once per dependency
        return sendProblem(req, reply, notReady(byName))
      }
      return { status: states.includes('degraded') ? ('degraded' as const) : ('ok' as const), checks: byName }
    },
  )
}
