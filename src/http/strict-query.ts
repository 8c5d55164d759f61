import type { FastifyInstance, preValidationHookHandler } from 'fastify'
import { z } from 'zod'
import { invalid } from './problem.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the query comes from another party's redirect (an identity provider): undeclared parameters are ignored, not refused */
    foreignQuery?: boolean
  }
}

/** The parameter names a querystring schema declares (none when the route declares no query). */
function declaredKeys(schema: unknown): Set<string> {
  let s = schema
  // a query schema with a transform is a pipe: its input is the object that names the parameters
  while (s instanceof z.ZodPipe) s = s.in
  if (s === undefined) return new Set()
  if (!(s instanceof z.ZodObject)) throw new Error('a querystring schema must be a zod object')
  return new Set(Object.keys(s.shape))
}

/**
 * Every route of the API plugin (see api.ts) refuses query parameters it does not declare, with 400 naming each one
 * (`query.stauts`), like unknown fields of a body: a misspelled filter must not silently answer the
 * unfiltered list, nor a misspelled `cursor` the first page forever.
 */
export function registerStrictQuery(app: FastifyInstance) {
  app.addHook('onRoute', (route) => {
    // a redirect back from another party (an identity provider) carries parameters of its own choosing
    if (route.config?.foreignQuery) return
    const allowed = declaredKeys((route.schema as { querystring?: unknown } | undefined)?.querystring)
    const refuseUnknown: preValidationHookHandler = async (req) => {
      const unknown = Object.keys(req.query as Record<string, unknown>).filter((k) => !allowed.has(k))
      if (unknown.length === 0) return
      const errors = unknown.map((k) => ({ path: `query.${k}`, message: 'unknown parameter' }))
      throw invalid(errors)
    }
    const existing = route.preValidation
    route.preValidation = [refuseUnknown, ...(existing ? [existing].flat() : [])]
  })
}
