import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/app.ts'

const URLS = ['/docs', '/health', '/api/v1/users/me']
const UPGRADE = 'upgrade-insecure-requests'

describe('security headers without a trusted proxy', () => {
  const t = useTestApp()

  it('sends neither HSTS nor upgrade-insecure-requests over plain HTTP, on pages and API answers alike', async () => {
    for (const url of URLS) {
      const res = await t.app.inject({ method: 'GET', url, headers: { host: 'some-host:3000' } })
      expect(res.headers['strict-transport-security'], url).toBeUndefined()
      expect(res.headers['content-security-policy'], url).toContain("default-src 'self'")
      expect(res.headers['content-security-policy'], url).not.toContain(UPGRADE)
      expect(res.headers['x-content-type-options'], url).toBe('nosniff')
    }
  })

  it('ignores X-Forwarded-Proto from a peer it does not trust', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs', headers: { 'x-forwarded-proto': 'https' } })
    expect(res.headers['strict-transport-security']).toBeUndefined()
    expect(res.headers['content-security-policy']).not.toContain(UPGRADE)
  })
})

describe('security headers behind a trusted proxy (TRUST_PROXY)', () => {
  const t = useTestApp({ env: { TRUST_PROXY: '127.0.0.1' } })
  const get = (url: string, proto: string | undefined, remoteAddress = '127.0.0.1') =>
    t.app.inject({ method: 'GET', url, remoteAddress, headers: proto ? { 'x-forwarded-proto': proto } : {} })

  it('sends HSTS and upgrade-insecure-requests when the proxy says the request came over TLS', async () => {
    for (const url of URLS) {
      const res = await get(url, 'https')
      expect(res.headers['strict-transport-security'], url).toBe('max-age=31536000; includeSubDomains')
      expect(res.headers['content-security-policy'], url).toMatch(/;upgrade-insecure-requests$/)
      expect(res.headers['content-security-policy'], url).toContain("default-src 'self'")
    }
  })

  it('sends neither when the proxy says plain HTTP, or says nothing', async () => {
    for (const proto of ['http', undefined]) {
      const res = await get('/docs', proto)
      expect(res.headers['strict-transport-security'], proto).toBeUndefined()
      expect(res.headers['content-security-policy'], proto).not.toContain(UPGRADE)
    }
  })

  it('does not take X-Forwarded-Proto from any other peer', async () => {
    const res = await get('/docs', 'https', '10.1.2.3')
    expect(res.headers['strict-transport-security']).toBeUndefined()
    expect(res.headers['content-security-policy']).not.toContain(UPGRADE)
  })
})
