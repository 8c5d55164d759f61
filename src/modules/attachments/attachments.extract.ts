import { fork } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { extname } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export interface PdfLimits {
  /** pages after this one are not read (the answer says how many were) */
  maxPages: number
  /** the whole extraction is killed past this */
  timeoutMs: number
  /** characters of text kept */
  maxChars: number
  /** the PDF's zlib streams may inflate to this many bytes in all, or it is not read */
  maxInflatedBytes: number
  /** the extracting process is killed once its resident memory (or its JS heap) passes this */
  maxMemoryMb: number
}

/** What the parent sends the extracting process (attachments.extract.child.ts). */
export type ExtractRequest = { data: Uint8Array } & Pick<PdfLimits, 'maxPages' | 'maxChars' | 'maxInflatedBytes'>

/** Its one answer: the text, or why the PDF cannot be read. */
export type ExtractAnswer =
  | { ok: true; text: string; pages: number; pagesRead: number; cut: boolean }
  | { ok: false; error: string }

export type Extracted = Omit<Extract<ExtractAnswer, { ok: true }>, 'ok'>

/** The PDF cannot be read within the limits: failed for good, never retried. */
export class ExtractionError extends Error {
  override name = 'ExtractionError'
}

// the child's source beside this file: .ts under tsx and the tests (loaded with tsx's loader), .js once built
const here = fileURLToPath(import.meta.url)
const childFile = fileURLToPath(new URL(`./attachments.extract.child${extname(here)}`, import.meta.url))
const loader = extname(here) === '.ts' ? ['--import', pathToFileURL(createRequire(here).resolve('tsx')).href] : []
const MEMORY_CHECK_MS = 50

/** Resident memory of a process in MB, where the system tells (Linux); undefined elsewhere. */
async function residentMb(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]
  return kb === undefined ? undefined : Number(kb) / 1024
}

/**
 * The text of a PDF, read in a child process so that pdf.js's synchronous parsing and inflating
 * never holds this process's event loop: at most `maxPages` pages and `maxChars` characters. The
 * child is killed once it runs past `timeoutMs` or its memory past `maxMemoryMb` (resident memory,
 * checked every 50 ms on Linux; its JS heap everywhere), and a PDF whose streams inflate past
 * `maxInflatedBytes` is refused before it is parsed. Throws ExtractionError for a PDF that cannot be
 * read within these; another Error (the child could not start or died of something else) may pass.
 */
export function extractPdfText(data: Uint8Array, limits: PdfLimits): Promise<Extracted> {
  return new Promise((resolve, reject) => {
    const child = fork(childFile, [], {
      execArgv: [...loader, `--max-old-space-size=${limits.maxMemoryMb}`],
      // nothing of this process's environment (secrets) is needed there
      env: {},
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    })
    let stderr = ''
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      stderr = (stderr + s).slice(-2000)
    })
    let settled = false
    const settle = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearInterval(memory)
      process.off('exit', killNow)
      child.kill('SIGKILL')
      fn()
    }
    const killNow = () => child.kill('SIGKILL')
    // the child must not outlive this process (a SIGKILL here leaves it to notice the lost channel)
    process.once('exit', killNow)
    const fail = (why: string) => settle(() => reject(new ExtractionError(why)))
    const timer = setTimeout(() => fail(`text extraction took longer than ${limits.timeoutMs} ms`), limits.timeoutMs)
    const tooMuchMemory = `text extraction needed more than ${limits.maxMemoryMb} MB of memory`
    let checking = false
    const memory = setInterval(async () => {
      if (checking || child.pid === undefined) return
      checking = true
      const mb = await residentMb(child.pid)
      checking = false
      if (mb !== undefined && mb > limits.maxMemoryMb) fail(tooMuchMemory)
    }, MEMORY_CHECK_MS)

    child.on('message', (answer: ExtractAnswer) => {
      if (!answer.ok) return fail(answer.error)
      const { ok: _, ...extracted } = answer
      settle(() => resolve(extracted))
    })
    // the process could not be started: no 'close' follows
    child.on('error', (err) => {
      if (child.pid === undefined) settle(() => reject(err))
    })
    // ended without answering: stderr is complete by now
    child.on('close', (code, signal) => {
      if (/heap out of memory|Reached heap limit/.test(stderr)) return fail(tooMuchMemory)
      const how = signal ?? `exit code ${code}`
      settle(() => reject(new Error(`the text extraction process ended without an answer (${how}): ${stderr.trim()}`)))
    })

    const { maxPages, maxChars, maxInflatedBytes } = limits
    const request: ExtractRequest = { data, maxPages, maxChars, maxInflatedBytes }
    // a failed hand-over kills the child, whose 'close' reports it
    child.send(request, (err) => err && child.kill('SIGKILL'))
  })
}
