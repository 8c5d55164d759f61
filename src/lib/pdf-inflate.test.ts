import { deflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { inflatedSize } from './pdf-inflate.ts'

const obj = (dict: string, data: Buffer) =>
  Buffer.concat([Buffer.from(`7 0 obj\n<< ${dict} >>\nstream\r\n`), data, Buffer.from('\nendstream\nendobj\n')])
const spaces = (n: number) => Buffer.alloc(n, 0x20)

describe('inflatedSize', () => {
  it('adds up what the zlib streams inflate to, nested layers included, images and plain streams aside', async () => {
    const pdf = Buffer.concat([
      Buffer.from('%PDF-1.7\n'),
      obj('/Filter /FlateDecode', deflateSync(spaces(1000))),
      obj('/Length 5', Buffer.from('BT ET')),
      obj('/Filter [/FlateDecode /FlateDecode]', deflateSync(deflateSync(spaces(50_000)))),
      obj('/Type /XObject /Subtype /Image /Filter /FlateDecode', deflateSync(spaces(70_000))),
    ])
    const nested = deflateSync(spaces(50_000)).length
    expect(await inflatedSize(pdf, 1e9)).toBe(1000 + nested + 50_000)
  })

  it('counts a stream to where zlib ends it, whatever its /Length says, and what decodes before corrupt data', async () => {
    const bomb = deflateSync(spaces(2_000_000))
    const corrupt = Buffer.concat([bomb.subarray(0, bomb.length - 8), Buffer.from('endstream garbage')])
    expect(await inflatedSize(obj('/Length 3 /Filter /FlateDecode', bomb), 1e9)).toBe(2_000_000)
    expect(await inflatedSize(obj('/Filter /FlateDecode', corrupt), 1e9)).toBeGreaterThan(1_900_000)
  })

  it('stops soon after the limit', async () => {
    const pdf = Buffer.concat([
      obj('/Filter /FlateDecode', deflateSync(spaces(20_000_000))),
      obj('', deflateSync(spaces(10))),
    ])
    const n = await inflatedSize(pdf, 1_000_000)
    expect(n).toBeGreaterThan(1_000_000)
    expect(n).toBeLessThan(1_200_000)
  })
})
