import { describe, expect, it } from 'vitest'
import { sniffContentType } from './sniff.ts'

const bytes = (...b: number[]) => Buffer.from(b)

describe('sniffContentType', () => {
  it.each([
    ['application/pdf', Buffer.from('%PDF-1.7\n...'), 'x.bin'],
    ['image/png', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0), 'photo.pdf'],
    ['image/jpeg', bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10), 'a.png'],
    ['image/gif', Buffer.from('GIF89a....'), ''],
    ['image/webp', Buffer.concat([Buffer.from('RIFF'), bytes(0, 0, 0, 0), Buffer.from('WEBPVP8 ')]), ''],
    ['application/zip', bytes(0x50, 0x4b, 0x03, 0x04, 0, 0), 'a.zip'],
    [
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      bytes(0x50, 0x4b, 0x03, 0x04, 0, 0),
      'Report.DOCX',
    ],
    ['text/plain; charset=utf-8', Buffer.from('hello, wörld'), 'notes.txt'],
    ['text/csv; charset=utf-8', Buffer.from('a,b\n1,2\n'), 'data.csv'],
    ['application/octet-stream', bytes(0, 1, 2, 3, 0xfe), 'x.txt'],
    ['application/octet-stream', Buffer.alloc(0), 'empty.txt'],
  ])('recognises %s', (type, head, name) => {
    expect(sniffContentType(head, name)).toBe(type)
  })

  it('never takes HTML from the name or the bytes', () => {
    expect(sniffContentType(Buffer.from('<html><script>alert(1)</script>'), 'page.html')).toBe(
      'text/plain; charset=utf-8',
    )
  })

  it('accepts a sample that ends inside a multi-byte character', () => {
    const text = Buffer.from('ééé')
    expect(sniffContentType(text.subarray(0, 5), 'a.txt')).toBe('text/plain; charset=utf-8')
  })
})
