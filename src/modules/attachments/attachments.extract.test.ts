import { describe, expect, it } from 'vitest'
import { flateBombPdf, manyPagePdf, pdfWith } from '../../../test/pdf.ts'
import { ExtractionError, extractPdfText, type PdfLimits } from './attachments.extract.ts'

// as the job hands them over (pdf.js refuses a Buffer)
const bytes = (b: Buffer) => new Uint8Array(b)

const limits: PdfLimits = {
  maxPages: 500,
  timeoutMs: 60_000,
  maxChars: 200_000,
  maxInflatedBytes: 100 * 1024 * 1024,
  maxMemoryMb: 512,
}

// each extraction starts a process (through tsx here): seconds apiece on a busy machine
describe('extractPdfText', { timeout: 60_000 }, () => {
  it('reads every page of a PDF within the limits', async () => {
    const out = await extractPdfText(bytes(pdfWith('Pelican brief', 3)), limits)
    expect(out).toEqual({
      text: 'Pelican brief page 1\nPelican brief page 2\nPelican brief page 3',
      pages: 3,
      pagesRead: 3,
      cut: false,
    })
  })

  it('stops at the page and character limits and says where', async () => {
    expect(await extractPdfText(bytes(pdfWith('Heron', 5)), { ...limits, maxPages: 2 })).toEqual({
      text: 'Heron page 1\nHeron page 2',
      pages: 5,
      pagesRead: 2,
      cut: false,
    })
    expect(await extractPdfText(bytes(pdfWith('Heron', 5)), { ...limits, maxChars: 20 })).toEqual({
      text: 'Heron page 1\nHeron p',
      pages: 5,
      pagesRead: 2,
      cut: true,
    })
  })

  it('kills an extraction at its time limit: nothing of it runs on', async () => {
    const started = Date.now()
    const pdf = bytes(manyPagePdf(20_000, 'Tortoise'))
    const err = await extractPdfText(pdf, { ...limits, maxPages: 20_000, timeoutMs: 1000 }).catch((e: Error) => e)
    expect(err).toBeInstanceOf(ExtractionError)
    expect((err as Error).message).toBe('text extraction took longer than 1000 ms')
    expect(Date.now() - started).toBeLessThan(5000)
    // reading all 20,000 pages takes minutes: an extraction merely abandoned would keep this process busy
    const cpu = process.cpuUsage()
    await new Promise((r) => setTimeout(r, 1000))
    const used = process.cpuUsage(cpu)
    expect((used.user + used.system) / 1000).toBeLessThan(300)
  })

  it('refuses a flate bomb before parsing it', async () => {
    await expect(extractPdfText(bytes(flateBombPdf(512, 'Boom')), limits)).rejects.toThrow(
      new ExtractionError(`the PDF inflates past the ${100 * 1024 * 1024}-byte extraction limit`),
    )
  })

  it('kills the extracting process at its memory cap: this process never holds the inflated bytes', async () => {
    const pdf = bytes(flateBombPdf(512, 'Boom'))
    const before = process.memoryUsage().rss
    let growth = 0
    const sampler = setInterval(() => {
      growth = Math.max(growth, process.memoryUsage().rss - before)
    }, 20)
    const err = await extractPdfText(pdf, { ...limits, maxInflatedBytes: 1024 ** 3, maxMemoryMb: 200 })
      .catch((e: Error) => e)
      .finally(() => clearInterval(sampler))
    expect(err).toEqual(new ExtractionError('text extraction needed more than 200 MB of memory'))
    // pdf.js inflating it here grew this process by 100+ MB
    expect(growth / 1024 / 1024).toBeLessThan(60)
  })

  it('fails a file that is not a PDF for good', async () => {
    await expect(extractPdfText(bytes(Buffer.from('%PDF-1.7\nnot really')), limits)).rejects.toThrow(
      new ExtractionError('not a readable PDF: Invalid PDF structure.'),
    )
  })
})
