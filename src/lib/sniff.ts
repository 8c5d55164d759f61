/** Content types recognised from a file's first bytes, never from what the client claims. */
const SIGNATURES: { type: string; test: (b: Buffer) => boolean }[] = [
  { type: 'application/pdf', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  {
    type: 'image/png',
    test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { type: 'image/jpeg', test: (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/gif', test: (b) => ['GIF87a', 'GIF89a'].includes(b.subarray(0, 6).toString('latin1')) },
  {
    type: 'image/webp',
    test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
  {
    type: 'application/zip',
    test: (b) =>
      b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && [0x0304, 0x0506, 0x0708].includes(b.readUInt16BE(2)),
  },
  { type: 'application/gzip', test: (b) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b },
]

// zip containers whose name says which zip they are (the bytes say only "zip")
const ZIP_BASED: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
}

// text flavours: only ever chosen when the bytes are text, so the name cannot turn bytes into HTML or script
const TEXT_BASED: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  json: 'application/json',
}

/** How many leading bytes `sniffContentType` looks at. */
export const SNIFF_BYTES = 512

const isUtf8Text = (head: Buffer) => {
  if (head.includes(0)) return false
  try {
    // stream: a multi-byte character cut at the end of the sample is not an error
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true })
    return true
  } catch {
    return false
  }
}

/**
 * The content type of a file from its first bytes (pdf, png, jpeg, gif, webp, zip, gzip, UTF-8
 * text); the filename only refines a zip or a text into a known subtype. Anything else is
 * `application/octet-stream`.
 */
export function sniffContentType(head: Buffer, filename = ''): string {
  const ext = filename.includes('.') ? filename.slice(filename.lastIndexOf('.') + 1).toLowerCase() : ''
  const match = SIGNATURES.find((s) => s.test(head))
  if (match) return match.type === 'application/zip' ? (ZIP_BASED[ext] ?? match.type) : match.type
  if (head.length > 0 && isUtf8Text(head)) return TEXT_BASED[ext] ?? 'text/plain; charset=utf-8'
  return 'application/octet-stream'
}
