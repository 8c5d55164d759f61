import { type IncomingMessage, request } from 'node:http'

export interface SseEvent {
  id: string
  event: string
  data: Record<string, unknown>
}

/** A Server-Sent Events client over a real socket, for tests. */
export interface SseClient {
  status: number
  headers: IncomingMessage['headers']
  /** the next event (comments skipped), or an error after `timeoutMs` */
  next(timeoutMs?: number): Promise<SseEvent>
  /** resolves with no event if none arrives within `ms` (asserts silence) */
  none(ms?: number): Promise<SseEvent | undefined>
  comments: string[]
  closed: Promise<void>
  close(): void
}

export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const queue: SseEvent[] = []
      const waiters: ((e: SseEvent) => void)[] = []
      const comments: string[] = []
      let buffer = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        buffer += chunk
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const fields: Record<string, string> = {}
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim())
            else {
              const i = line.indexOf(':')
              if (i > 0) fields[line.slice(0, i)] = line.slice(i + 1).trimStart()
            }
          }
          if (fields.data === undefined) continue
          const event = { id: fields.id ?? '', event: fields.event ?? 'message', data: JSON.parse(fields.data) }
          const waiter = waiters.shift()
          if (waiter) waiter(event)
          else queue.push(event)
        }
      })
      const closed = new Promise<void>((r) => res.on('close', () => r()))
      const client: SseClient = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        comments,
        closed,
        next(timeoutMs = 15_000) {
          const queued = queue.shift()
          if (queued) return Promise.resolve(queued)
          return new Promise((ok, fail) => {
            const timer = setTimeout(() => {
              waiters.splice(waiters.indexOf(done), 1)
              fail(new Error(`no event within ${timeoutMs} ms`))
            }, timeoutMs)
            const done = (e: SseEvent) => {
              clearTimeout(timer)
              ok(e)
            }
            waiters.push(done)
          })
        },
        none: (ms = 500) => client.next(ms).catch(() => undefined),
        close: () => req.destroy(),
      }
      resolve(client)
    })
    req.on('error', reject)
    req.end()
  })
}
