import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/app.ts'

// a stand-in for web/dist: an index.html and one hashed asset with its pre-compressed twin
const dir = mkdtempSync(join(tmpdir(), 'tasklane-web-'))
const INDEX = '<!doctype html><title>Tasklane</title><script type="module" src="/assets/index-Ab12Cd.js"></script>'
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(2000))})`
mkdirSync(join(dir, 'assets'))
writeFileSync(join(dir, 'index.html'), INDEX)
writeFileSync(join(dir, 'assets/index-Ab12Cd.js'), SCRIPT)
writeFileSync(join(dir, 'assets/index-Ab12Cd.js.gz'), gzipSync(SCRIPT))

// a top-level route the web app knows nothing of: its segment is the server's as soon as it is registered
const t = useTestApp({
  env: { WEB_DIR: dir },
  routes: (app) => app.get('/status/now', { schema: { hide: true } }, async () => ({ status: 'now' })),
})
const unbuilt = useTestApp({ env: { WEB_DIR: mkdtempSync(join(tmpdir(), 'tasklane-web-empty-')) } })

describe('web app', () => {
  it('serves index.html at / and revalidates it every time', async () => {
    const res = await t.app.inject({ url: '/' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/html/)
    expect(res.headers['cache-control']).toBe('no-cache')
    expect(res.body).toBe(INDEX)
  })

  it("forbids inline scripts on the app's page (the reference at /docs keeps them)", async () => {
    for (const url of ['/', '/tasks/abc']) {
      const csp = String((await t.app.inject({ url })).headers['content-security-policy'])
      expect(csp, url).toMatch(/script-src 'self'(;|$)/)
      expect(csp, url).toContain("connect-src 'self'")
    }
    const docs = await t.app.inject({ url: '/docs/' })
    expect(String(docs.headers['content-security-policy'])).toContain("script-src 'self' 'unsafe-inline'")
  })

  it('answers index.html for the app routes the router does not know', async () => {
    for (const url of ['/tasks', '/tasks/0190a1b2-0000-7000-8000-000000000000?tab=comments', '/board/']) {
      const res = await t.app.inject({ url })
      expect(res.statusCode, url).toBe(200)
      expect(res.headers['cache-control'], url).toBe('no-cache')
      expect(res.body, url).toBe(INDEX)
    }
  })

  it('caches hashed assets for a year and sends the pre-compressed twin to who accepts it', async () => {
    const plain = await t.app.inject({ url: '/assets/index-Ab12Cd.js', headers: { 'accept-encoding': 'identity' } })
    expect(plain.statusCode).toBe(200)
    expect(plain.headers['content-type']).toMatch(/javascript/)
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(plain.body).toBe(SCRIPT)
    const gzipped = await t.app.inject({ url: '/assets/index-Ab12Cd.js', headers: { 'accept-encoding': 'gzip' } })
    expect(gzipped.headers['content-encoding']).toBe('gzip')
    expect(gzipped.headers['cache-control']).toBe('public, max-age=31536000, immutable')
  })

  it('keeps problem+json 404s for the API, missing files and other methods', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/nothing-here'],
      ['GET', '/api/nothing'],
      ['GET', '/assets/index-gone.js'],
      ['GET', '/favicon.ico'],
      ['POST', '/tasks'],
      ['DELETE', '/'],
    ] as const) {
      const res = await t.app.inject({ method, url })
      expect(res.statusCode, `${method} ${url}`).toBe(404)
      expect(res.headers['content-type'], `${method} ${url}`).toMatch(/^application\/problem\+json/)
      expect(res.json().requestId, `${method} ${url}`).toBe(res.headers['x-request-id'])
    }
  })

  it("leaves every registered route's first segment to the server, a route added later included", async () => {
    expect((await t.app.inject({ url: '/status/now' })).json()).toEqual({ status: 'now' })
    for (const url of ['/status', '/status/later', '/health/deep', '/ready/x', '/metrics/x', '/api', '/docs/nothing']) {
      const res = await t.app.inject({ url })
      expect(res.statusCode, url).toBe(404)
      expect(res.headers['content-type'], url).toMatch(/^application\/problem\+json/)
    }
  })

  it('leaves the API, the reference and the document where they were', async () => {
    expect((await t.app.inject({ url: '/health' })).json()).toEqual({ status: 'ok' })
    expect((await t.app.inject({ url: '/openapi.json' })).json().openapi).toBe('3.1.0')
    const docs = await t.app.inject({ url: '/docs/' })
    expect(docs.statusCode).toBe(200)
    expect(docs.body).toContain('/openapi.json')
    expect(docs.body).not.toBe(INDEX)
  })

  it('answers 404 at / when the app is not built', async () => {
    const res = await unbuilt.app.inject({ url: '/' })
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
  })
})
