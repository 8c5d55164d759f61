import { constants, createInflate, type Inflate } from 'node:zlib'

const STREAM = Buffer.from('stream')
const END = Buffer.from('end')
// a stream's dictionary ends within this many bytes before its `stream` keyword (else it is counted)
const DICT_WINDOW = 4096
// [/FlateDecode /FlateDecode …]: each layer is inflated in turn
const MAX_LAYERS = 4

/** A zlib header (RFC 1950) as pdf.js checks it: deflate, a valid FCHECK, no preset dictionary. */
const zlibHeaderAt = (b: Uint8Array, i: number) =>
  i + 1 < b.length && (b[i]! & 0x0f) === 8 && ((b[i]! << 8) | b[i + 1]!) % 31 === 0 && (b[i + 1]! & 0x20) === 0

/**
 * How many bytes the zlib (FlateDecode) streams of a PDF inflate to, in all, counting nested zlib
 * layers and leaving out images (text extraction never decodes them); stops counting once past
 * `limit`. Only the count is kept, never the inflated bytes, so a flate bomb is measured without
 * being held. Each stream is inflated from the byte after its `stream` keyword up to where zlib
 * says it ends, whatever its /Length claims, and what decodes before corrupt data counts too.
 */
export async function inflatedSize(pdf: Uint8Array, limit: number): Promise<number> {
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength)
  let total = 0
  for (let at = bytes.indexOf(STREAM); at !== -1 && total <= limit; at = bytes.indexOf(STREAM, at + STREAM.length)) {
    if (at >= 3 && bytes.subarray(at - 3, at).equals(END)) continue // endstream
    let start = at + STREAM.length
    if (bytes[start] === 0x0d) start++
    if (bytes[start] === 0x0a) start++
    if (start === at + STREAM.length || !zlibHeaderAt(bytes, start) || isImage(bytes, at)) continue
    const z = createInflate({ finishFlush: constants.Z_SYNC_FLUSH })
    const counted = countInflated(z, limit - total, MAX_LAYERS)
    z.end(bytes.subarray(start))
    total += await counted
  }
  return total
}

function isImage(bytes: Buffer, streamAt: number): boolean {
  const before = bytes.toString('latin1', Math.max(0, streamAt - DICT_WINDOW), streamAt)
  const obj = before.lastIndexOf('obj')
  return obj !== -1 && /\/Subtype\s*\/Image\b/.test(before.slice(obj))
}

/**
 * Bytes a zlib stream inflates to, plus those of a zlib stream its output holds (a second
 * FlateDecode), each layer stopping past `budget`. The nested layer is piped, so backpressure
 * keeps the memory to a few chunks.
 */
function countInflated(z: Inflate, budget: number, layers: number): Promise<number> {
  return new Promise((resolve) => {
    let own = 0
    let nested: { z: Inflate; count: Promise<number> } | undefined
    let settled = false
    const done = () => {
      if (settled) return
      settled = true
      nested?.z.end()
      void (nested?.count ?? Promise.resolve(0)).then((n) => resolve(own + n))
    }
    z.on('data', (chunk: Buffer) => {
      if (own === 0 && layers > 1 && zlibHeaderAt(chunk, 0)) {
        const inner = createInflate({ finishFlush: constants.Z_SYNC_FLUSH })
        nested = { z: inner, count: countInflated(inner, budget, layers - 1) }
        inner.write(chunk)
        z.pipe(inner, { end: false })
      }
      own += chunk.length
      if (own > budget) {
        z.destroy()
        done()
      }
    })
    // corrupt data ends the count where pdf.js stops decoding too
    z.on('error', done)
    z.on('end', done)
  })
}
