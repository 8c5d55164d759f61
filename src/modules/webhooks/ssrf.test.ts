import { describe, expect, it } from 'vitest'
import { startReceiver } from '../../../test/worker-app.ts'
import { isPublicAddress, type LookupAll, resolveTarget } from './ssrf.ts'
import { postPinned } from './webhooks.send.ts'

const REFUSED = [
  'http://127.0.0.1/',
  'http://127.1/',
  'http://2130706433/',
  'http://0177.0.0.1/',
  'http://0x7f.0.0.1/',
  'http://0x7f000001/',
  'http://017700000001/',
  'http://localhost/',
  'http://0.0.0.0/',
  'http://0/',
  'http://10.1.2.3/',
  'http://172.16.0.1/',
  'http://172.31.255.255/',
  'http://192.168.1.1/',
  'http://169.254.169.254/latest/meta-data/',
  'http://169.254.0.1/',
  'http://100.64.0.1/',
  'http://224.0.0.1/',
  'http://255.255.255.255/',
  'http://[::1]/',
  'http://[::]/',
  'http://[0:0:0:0:0:0:0:1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:7f00:1]/',
  'http://[::ffff:169.254.169.254]/',
  'http://[::ffff:10.0.0.1]/',
  'http://[::127.0.0.1]/',
  'http://[fc00::1]/',
  'http://[fd12:3456::1]/',
  'http://[fe80::1]/',
  'http://[ff02::1]/',
  'http://[64:ff9b::7f00:1]/',
  'http://[64:ff9b::10.0.0.1]/',
  'http://[2002:7f00:1::1]/',
  'ftp://93.184.216.34/',
  'file:///etc/passwd',
  'gopher://93.184.216.34/',
  'javascript:alert(1)',
  'not a url',
]

const ALLOWED = [
  'http://93.184.216.34/hook',
  'https://93.184.216.34:8443/hook?x=1',
  'http://[2606:2800:220:1:248:1893:25c8:1946]/',
  'http://[::ffff:93.184.216.34]/',
  'http://[64:ff9b::93.184.216.34]/',
  'https://hooks.example.test/in',
]

// no real DNS in tests: names resolve through this table
const names: Record<string, string[]> = {
  localhost: ['127.0.0.1', '::1'],
  'hooks.example.test': ['93.184.216.34'],
  'internal.example.test': ['10.0.0.5'],
  'mixed.example.test': ['93.184.216.34', '192.168.0.10'],
  'metadata.example.test': ['169.254.169.254'],
}
const lookup: LookupAll = async (host) => {
  const found = names[host]
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
}

describe('webhook SSRF guard', () => {
  it.each(REFUSED)('refuses %s', async (url) => {
    await expect(resolveTarget(url, { allowPrivate: false, lookup })).rejects.toThrow()
  })

  it.each(ALLOWED)('allows %s', async (url) => {
    await expect(resolveTarget(url, { allowPrivate: false, lookup })).resolves.toMatchObject({ url: expect.any(URL) })
  })

  it.each([
    'http://internal.example.test/',
    'http://mixed.example.test/',
    'http://metadata.example.test/',
    'http://nowhere.example.test/',
  ])('refuses a host name that resolves to an internal address, or nowhere: %s', async (url) => {
    await expect(resolveTarget(url, { allowPrivate: false, lookup })).rejects.toThrow()
  })

  it('allows internal addresses when WEBHOOK_ALLOW_PRIVATE is set, but never another scheme', async () => {
    await expect(resolveTarget('http://127.0.0.1:9/', { allowPrivate: true, lookup })).resolves.toMatchObject({
      address: '127.0.0.1',
    })
    await expect(resolveTarget('file:///etc/passwd', { allowPrivate: true, lookup })).rejects.toThrow()
  })

  it('classifies addresses in every range', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true)
    expect(isPublicAddress('172.15.255.255')).toBe(true)
    expect(isPublicAddress('172.32.0.0')).toBe(true)
    expect(isPublicAddress('100.128.0.1')).toBe(true)
    expect(isPublicAddress('100.127.255.254')).toBe(false)
    expect(isPublicAddress('::ffff:8.8.8.8')).toBe(true)
    expect(isPublicAddress('fe80::1%eth0')).toBe(false)
    expect(isPublicAddress('garbage')).toBe(false)
  })

  it('connects to the address it checked, whatever the name resolves to later (DNS rebinding)', async () => {
    const receiver = await startReceiver()
    try {
      const port = new URL(receiver.url).port
      // the name resolves nowhere: the request reaches the receiver only through the pinned address
      const url = new URL(`http://rebind.example.test:${port}/hook`)
      const result = await postPinned({ url, address: '127.0.0.1', family: 4 }, '{"x":1}', {})
      expect(result).toMatchObject({ statusCode: 200, error: null, responseBody: 'thanks' })
      expect(receiver.received[0]!.headers.host).toBe(`rebind.example.test:${port}`)
    } finally {
      await receiver.close()
    }
  })

  it('does not follow redirects', async () => {
    const http = await import('node:http')
    const server = http.createServer((_, res) => res.writeHead(302, { location: 'http://169.254.169.254/' }).end())
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const { port } = server.address() as import('node:net').AddressInfo
    try {
      const target = await resolveTarget(`http://127.0.0.1:${port}/`, { allowPrivate: true })
      expect(await postPinned(target, '{}', {})).toMatchObject({ statusCode: 302 })
    } finally {
      await new Promise((r) => server.close(r))
    }
  })
})
