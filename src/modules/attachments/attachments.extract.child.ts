// The process that reads a PDF's text (forked by attachments.extract.ts): pdf.js parses and inflates
// synchronously, so it runs here, where the parent can cap its memory and kill it on time.
import { getDocumentProxy } from 'unpdf'
import { inflatedSize } from '../../lib/pdf-inflate.ts'
import type { ExtractAnswer, ExtractRequest } from './attachments.extract.ts'

const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

const parent = process.ppid
/**
 * A parent killed outright (SIGKILL) can neither kill this process nor take its answer. The closed
 * channel says so ('disconnect' below) only when the event loop turns, which pdf.js may not let it
 * do for minutes, so between pages an adopted process (a new parent) ends itself too.
 */
const exitIfOrphaned = () => process.ppid !== parent && process.exit(1)

async function readText(req: ExtractRequest): Promise<ExtractAnswer> {
  // measured before pdf.js holds any of it: a flate bomb fails here, in a fraction of its size
  if ((await inflatedSize(req.data, req.maxInflatedBytes)) > req.maxInflatedBytes) {
    return { ok: false, error: `the PDF inflates past the ${req.maxInflatedBytes}-byte extraction limit` }
  }
  let doc: Awaited<ReturnType<typeof getDocumentProxy>>
  try {
    // no eval, no console chatter; pdf.js takes ownership of the bytes (as a plain Uint8Array, not a Buffer)
    const data = new Uint8Array(req.data.buffer, req.data.byteOffset, req.data.byteLength)
    doc = await getDocumentProxy(data, { verbosity: 0, isEvalSupported: false })
  } catch (err) {
    return { ok: false, error: `not a readable PDF: ${message(err)}` }
  }
  try {
    const pages = Math.min(doc.numPages, req.maxPages)
    const parts: string[] = []
    let length = 0
    let read = 0
    while (read < pages && length < req.maxChars) {
      exitIfOrphaned()
      const page = await doc.getPage(++read)
      const content = await page.getTextContent()
      const text = content.items
        .map((item) => ('str' in item ? item.str : ''))
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim()
      page.cleanup()
      if (text) {
        parts.push(text)
        length += text.length + 1
      }
    }
    const text = parts.join('\n')
    return {
      ok: true,
      text: text.slice(0, req.maxChars),
      pages: doc.numPages,
      pagesRead: read,
      cut: text.length > req.maxChars,
    }
  } catch (err) {
    return { ok: false, error: `text extraction failed: ${message(err)}` }
  } finally {
    await doc.destroy().catch(() => {})
  }
}

process.on('disconnect', () => process.exit(0))
process.once('message', (req: ExtractRequest) => {
  void readText(req)
    .catch((err): ExtractAnswer => ({ ok: false, error: `text extraction failed: ${message(err)}` }))
    .then((answer) => process.send?.(answer, () => process.exit(0)))
})
