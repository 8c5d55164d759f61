import { describe, expect, it } from 'vitest'
import { eventually } from '../../../test/eventually.ts'
import { given } from '../../../test/given.ts'
import { useInstancePair } from '../../../test/pair.ts'
import { openSse, type SseClient } from '../../../test/sse.ts'
import { MAX_STREAMS_PER_USER } from './event-hub.ts'

// two instances on PostgreSQL and Redis (one embedded instance otherwise): the limit is the user's
const pair = useInstancePair()

describe('the open-stream limit of a user', () => {
  it('holds across instances, and a closed stream frees its place on the other one', { timeout: 60_000 }, async () => {
    const baseA = pair.two ? await pair.a.app.listen({ port: 0, host: '127.0.0.1' }) : pair.baseB
    const user = await given.user(pair.a.app)
    const open: SseClient[] = []
    const stream = (base: string) => openSse(`${base}/api/v1/events`, user.auth)
    try {
      for (let i = 0; i < MAX_STREAMS_PER_USER; i++) {
        const s = await stream(i % 2 ? pair.baseB : baseA)
        expect(s.status).toBe(200)
        open.push(s)
      }
      for (const base of [baseA, pair.baseB]) {
        const refused = await stream(base)
        refused.close()
        expect(refused.status).toBe(429)
      }

      // one stream on A ends: its place is free on B as soon as A has seen it close
      open.shift()!.close()
      open.push(
        await eventually(async () => {
          const s = await stream(pair.baseB)
          if (s.status === 200) return s
          s.close()
          return undefined
        }, 10_000),
      )
      const refused = await stream(pair.baseB)
      refused.close()
      expect(refused.status).toBe(429)
    } finally {
      for (const s of open) s.close()
    }
  })
})
