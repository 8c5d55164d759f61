import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'

/**
 * Every status a test sees a route answer must be one its OpenAPI responses name (issue 15
 * item 9). The test app records each answer that is not (`recordUndocumentedAnswers`); the
 * suite's setup file (answers-check.ts) fails the test file that saw one, naming route and status.
 */

const undocumented = new Map<string, string>()

/** Records, from now on, each answer of a documented route whose status its schema does not list. */
export function recordUndocumentedAnswers(app: FastifyInstance): void {
  // routes a test adds to exercise the platform are not the API: they answer what they like
  const ofTest = new Set<string>()
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) ofTest.add(`${method} ${route.url}`)
  })
  app.addHook('onResponse', async (req, reply) => {
    const { url, method, schema } = req.routeOptions
    if (!url || schema?.hide || ofTest.has(`${method} ${url}`)) return
    const status = reply.statusCode
    const documented = (schema?.response ?? {}) as Record<string, unknown>
    if (status in documented || `${String(status)[0]}XX` in documented || 'default' in documented) return
    // a HEAD answers as its GET, which is what the document describes
    const key = `${method === 'HEAD' ? 'GET' : method} ${url} → ${status}`
    if (!undocumented.has(key)) undocumented.set(key, expect.getState().currentTestName ?? '(outside a test)')
  })
}

/** The undocumented answers seen since the last call, each with the first test that saw it. */
export function takeUndocumentedAnswers(): string[] {
  const seen = [...undocumented].map(([answer, test]) => `${answer} (in "${test}")`)
  undocumented.clear()
  return seen
}
