// no test framework imports: the browser tests (e2e/) use it too
import { constants, deflateRawSync } from 'node:zlib'

/** A PDF of numbered objects (bodies without `N 0 obj`), object 1 its catalog, with an xref table. */
function assemblePdf(objects: (string | Buffer)[]): Buffer {
  const parts = [Buffer.from('%PDF-1.4\n')]
  let size = parts[0]!.length
  const offsets: number[] = []
  objects.forEach((body, i) => {
    offsets.push(size)
    const obj = Buffer.concat([
      Buffer.from(`${i + 1} 0 obj\n`),
      typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
      Buffer.from('\nendobj\n'),
    ])
    parts.push(obj)
    size += obj.length
  })
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`]
  for (const o of offsets) xref.push(`${String(o).padStart(10, '0')} 00000 n \n`)
  xref.push(`trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${size}\n%%EOF\n`)
  parts.push(Buffer.from(xref.join(''), 'latin1'))
  return Buffer.concat(parts)
}

const FONT = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'
const page = (contents: number, font: number) =>
  `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${contents} 0 R /Resources << /Font << /F1 ${font} 0 R >> >> >>`
const showText = (text: string) => `BT /F1 12 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`
const stream = (data: string) => `<< /Length ${data.length} >>\nstream\n${data}\nendstream`

/** A PDF whose page n (of `pages`) shows `text page n` (ASCII). */
export function pdfWith(text: string, pages = 1): Buffer {
  const objects: string[] = ['<< /Type /Catalog /Pages 2 0 R >>']
  const kids = Array.from({ length: pages }, (_, i) => `${3 + i * 2} 0 R`).join(' ')
  objects.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`)
  const font = 3 + pages * 2
  for (let i = 0; i < pages; i++) objects.push(page(4 + i * 2, font), stream(showText(`${text} page ${i + 1}`)))
  objects.push(FONT)
  return assemblePdf(objects)
}

/** A hostile PDF: `pages` pages that all draw one content stream showing `text` (~160 bytes a page). */
export function manyPagePdf(pages: number, text: string): Buffer {
  const objects: string[] = ['<< /Type /Catalog /Pages 2 0 R >>']
  const kids = Array.from({ length: pages }, (_, i) => `${5 + i} 0 R`).join(' ')
  objects.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`, stream(showText(text)), FONT)
  for (let i = 0; i < pages; i++) objects.push(page(3, 4))
  return assemblePdf(objects)
}

const MOD_ADLER = 65521

/** Adler-32 (zlib's checksum) of `prefix` followed by `count` bytes of `byte`, without those bytes. */
function adler32(prefix: Buffer, byte: number, count: number): number {
  let a = 1
  let b = 0
  for (const c of prefix) {
    a = (a + c) % MOD_ADLER
    b = (b + a) % MOD_ADLER
  }
  // n more bytes v: a += n·v, b += n·a + v·n(n+1)/2 (all mod 65521; n(n+1)/2 reduced before multiplying)
  const n = count % MOD_ADLER
  const triangle =
    count % 2 === 0 ? ((count / 2) % MOD_ADLER) * ((count + 1) % MOD_ADLER) : n * (((count + 1) / 2) % MOD_ADLER)
  b = (b + n * a + byte * (triangle % MOD_ADLER)) % MOD_ADLER
  a = (a + n * byte) % MOD_ADLER
  return ((b << 16) | a) >>> 0
}

/**
 * A flate bomb: one page showing `text`, its content stream padded with spaces to `mib` MiB. Built
 * without ever holding the inflated bytes: 1 MiB of spaces deflated on its own (a full flush
 * leaves it byte-aligned and independent of what precedes it) is repeated `mib` times, ~1 KB each.
 */
export function flateBombPdf(mib: number, text: string): Buffer {
  const head = Buffer.from(`${showText(text)}\n`)
  const flush = { finishFlush: constants.Z_FULL_FLUSH }
  const spaces = deflateRawSync(Buffer.alloc(1024 * 1024, 0x20), flush)
  const checksum = Buffer.alloc(4)
  checksum.writeUInt32BE(adler32(head, 0x20, mib * 1024 * 1024))
  const data = Buffer.concat([
    Buffer.from([0x78, 0xda]), // zlib header: deflate, 32 KiB window
    deflateRawSync(head, flush),
    ...Array.from({ length: mib }, () => spaces),
    Buffer.from([0x03, 0x00]), // the final block: empty, fixed codes
    checksum,
  ])
  return assemblePdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    page(4, 5),
    Buffer.concat([
      Buffer.from(`<< /Length ${data.length} /Filter /FlateDecode >>\nstream\n`),
      data,
      Buffer.from('\nendstream'),
    ]),
    FONT,
  ])
}
