import { request } from 'node:http'

/** One request as the fuzzer sends it: the path raw (already encoded, possibly badly). */
export interface FuzzRequest {
  method: string
  /** path and query, sent byte for byte */
  path: string
  headers: Record<string, string>
  body?: Buffer
  /** what the request tries (`body.title: lone surrogate`), for the report */
  note: string
}

export interface FuzzResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  ms: number
}

/** Sends one request; rejects with `hang` when no full answer came within `timeoutMs`. */
export function send(base: URL, req: FuzzRequest, timeoutMs: number): Promise<FuzzResponse | 'hang' | Error> {
  const started = performance.now()
  return new Promise((resolve) => {
    let done = false
    const finish = (value: FuzzResponse | 'hang' | Error) => {
      if (done) return
      done = true
      clearTimeout(timer)
      resolve(value)
    }
    const r = request(
      {
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.path,
        headers: { ...req.headers, ...(req.body ? { 'content-length': String(req.body.length) } : {}) },
        // one connection per request: a refused request may close it, and must not spoil the next
        agent: false,
        insecureHTTPParser: true,
      },
      (res) => {
        const head = { status: res.statusCode ?? 0, headers: res.headers }
        if (String(res.headers['content-type']).startsWith('text/event-stream')) {
          // a stream that opened is an answer: it would go on for as long as the connection does
          finish({ ...head, body: Buffer.alloc(0), ms: performance.now() - started })
          r.destroy()
          return
        }
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          finish({
            ...head,
            body: Buffer.concat(chunks),
            ms: performance.now() - started,
          }),
        )
        res.on('error', (err) => finish(err))
      },
    )
    const timer = setTimeout(() => {
      finish('hang')
      r.destroy()
    }, timeoutMs)
    r.on('error', (err) => finish(err))
    r.end(req.body)
  })
}
