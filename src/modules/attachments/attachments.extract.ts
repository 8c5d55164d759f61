import { getDocumentProxy } from 'unpdf'

export interface PdfLimits {
  /** pages after this one are not read (the text says so) */
  maxPages: number
  /** the whole extraction fails past this */
  timeoutMs: number
  /** characters of text kept */
  maxChars: number
}

export class ExtractionError extends Error {
  override name = 'ExtractionError'
}

/**
 * The text of a PDF, page by page, within limits: at most `maxPages` pages, `maxChars`
 * characters, and `timeoutMs` in all (checked between pages, so one pathological page is bounded
 * by the job's expiry instead). Throws ExtractionError for a PDF that cannot be read.
 */
export async function extractPdfText(data: Uint8Array, limits: PdfLimits): Promise<{ text: string; pages: number }> {
  const deadline = Date.now() + limits.timeoutMs
  const overdue = () => {
    if (Date.now() > deadline) throw new ExtractionError(`text extraction took longer than ${limits.timeoutMs} ms`)
  }
  let doc: Awaited<ReturnType<typeof getDocumentProxy>>
  try {
    // no eval, no console chatter; pdf.js takes ownership of the bytes
    doc = await withDeadline(getDocumentProxy(data, { verbosity: 0, isEvalSupported: false }), deadline, limits)
  } catch (err) {
    if (err instanceof ExtractionError) throw err
    throw new ExtractionError(`not a readable PDF: ${(err as Error).message}`)
  }
  try {
    const pages = Math.min(doc.numPages, limits.maxPages)
    const parts: string[] = []
    let length = 0
    for (let n = 1; n <= pages && length < limits.maxChars; n++) {
      overdue()
      const page = await doc.getPage(n)
      const content = await withDeadline(page.getTextContent(), deadline, limits)
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
    return { text: parts.join('\n').slice(0, limits.maxChars), pages: doc.numPages }
  } catch (err) {
    if (err instanceof ExtractionError) throw err
    throw new ExtractionError(`text extraction failed: ${(err as Error).message}`)
  } finally {
    await doc.destroy().catch(() => {})
  }
}

async function withDeadline<T>(p: Promise<T>, deadline: number, limits: PdfLimits): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new ExtractionError(`text extraction took longer than ${limits.timeoutMs} ms`)),
          Math.max(0, deadline - Date.now()),
        )
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}
