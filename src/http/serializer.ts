import fastJson from 'fast-json-stringify'
import type { FastifyInstance } from 'fastify'
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { $ZodType } from 'zod/v4/core'

type SerializerCompiler = Parameters<FastifyInstance['setSerializerCompiler']>[0]

const zodOf = (schema: unknown): $ZodType | null => {
  if (schema instanceof $ZodType) return schema
  const inner = (schema as { properties?: unknown } | null)?.properties
  return inner instanceof $ZodType ? inner : null
}

/**
 * Responses serialized by code compiled once per route from the route's zod schema: the schema's
 * output JSON Schema through fast-json-stringify, which also drops fields the schema does not
 * name, as zod would. Running zod's encode on every response cost more than the rest of a
 * `GET /tasks/:id` (see bench/RESULTS.md). With `checked` (everywhere but production) zod still
 * checks each response first, so a handler that returns the wrong shape fails in the tests.
 * A schema JSON Schema cannot express (a transform) keeps zod's serializer; a plain JSON schema
 * (a plugin's route) gets JSON.stringify.
 */
export function responseSerializerCompiler({ checked }: { checked: boolean }): SerializerCompiler {
  // one schema serves many routes (ProblemDetails: every route's error answers): compiled once
  const compiled = new WeakMap<$ZodType, ((data: unknown) => string) | null>()
  const fastOf = (schema: $ZodType) => {
    if (!compiled.has(schema)) compiled.set(schema, compileFast(schema))
    return compiled.get(schema) ?? null
  }
  return (route) => {
    const schema = zodOf(route.schema)
    if (!schema) return (data) => JSON.stringify(data)
    // per route: its errors name the route
    const viaZod = zodSerializerCompiler({ ...route, schema }) as (data: unknown) => string
    const fast = fastOf(schema)
    if (!fast) return viaZod
    if (!checked) return fast
    return (data) => {
      viaZod(data)
      return fast(data)
    }
  }
}

/** fast-json-stringify of the schema's output JSON Schema, or null when JSON Schema cannot express it. */
function compileFast(schema: $ZodType): ((data: unknown) => string) | null {
  try {
    const json = z.toJSONSchema(schema, {
      io: 'output',
      target: 'draft-7',
      // inline everything (no $defs from registered ids): one self-contained schema per route
      metadata: z.registry(),
      unrepresentable: 'throw',
    })
    return fastJson(json as Parameters<typeof fastJson>[0])
  } catch {
    return null
  }
}
