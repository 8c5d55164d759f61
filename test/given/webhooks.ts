import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import type { GivenUser } from './users.ts'

/** Creates a webhook through the API as `by` (a team admin or owner). */
export async function givenWebhook(
  app: FastifyInstance,
  by: GivenUser,
  teamId: string,
  body: { url: string; events?: string[]; secret?: string },
) {
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/teams/${teamId}/webhooks`,
    headers: by.auth,
    payload: { events: ['*'], ...body },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string; url: string; events: string[]; active: boolean; secret: string }
}
