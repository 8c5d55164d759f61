import type { Readable } from 'node:stream'
import { JSONParser } from '@streamparser/json'
import { parse as csvParser } from 'csv-parse'
import { CSV_COLUMNS, unguard } from './export.format.ts'

/** One record of an import file, as read: where it was, and its fields (not yet validated). */
export interface RawRecord {
  row: number
  fields: Record<string, unknown>
}

/** What a file holds, before validation. */
export interface RawImport {
  format: 'tasklane' | 'csv'
  /** the document's `format` and `version` (Tasklane JSON) */
  header: Record<string, unknown>
  projects: RawRecord[]
  tags: RawRecord[]
  tasks: RawRecord[]
  comments: RawRecord[]
  /** why the file could not be read (not JSON, not CSV, too many rows): the import fails on this alone */
  fatal: string | null
}

class TooManyRows extends Error {
  constructor(readonly max: number) {
    super(`the file holds more than ${max} tasks and comments`)
  }
}

const empty = (format: RawImport['format']): RawImport => ({
  format,
  header: {},
  projects: [],
  tags: [],
  tasks: [],
  comments: [],
  fatal: null,
})

/**
 * A CSV with the export's columns (a header row naming them, in any order; unknown columns ignored).
 * Empty cells are absent; `tags` splits on `;`; the formula guard an export adds is removed again.
 * Rows are numbered as a spreadsheet shows them (the header is row 1).
 */
export async function parseCsv(input: Readable, maxRows: number): Promise<RawImport> {
  const out = empty('csv')
  const known = new Set<string>(CSV_COLUMNS)
  const parser = input.pipe(csvParser({ bom: true, columns: true, relax_column_count: true, skip_empty_lines: true }))
  let row = 1
  try {
    for await (const record of parser as AsyncIterable<Record<string, string>>) {
      row++
      if (out.tasks.length >= maxRows) throw new TooManyRows(maxRows)
      const fields: Record<string, unknown> = {}
      for (const [column, cell] of Object.entries(record)) {
        if (!known.has(column) || cell === undefined || cell === '') continue
        fields[column] =
          column === 'tags'
            ? unguard(cell)
                .split(';')
                .map((t) => t.trim())
                .filter(Boolean)
            : unguard(cell)
      }
      out.tasks.push({ row, fields })
    }
  } catch (err) {
    input.destroy()
    out.fatal = err instanceof TooManyRows ? err.message : `not a readable CSV file: ${(err as Error).message}`
  }
  return out
}

const ARRAYS = ['projects', 'tags', 'tasks', 'comments'] as const

/**
 * A Tasklane JSON document, read as a stream: each element of `projects`, `tags`, `tasks` and
 * `comments` is taken as it completes, so the parser never holds the document, only the records.
 */
export async function parseTasklane(input: Readable, maxRows: number): Promise<RawImport> {
  const out = empty('tasklane')
  const parser = new JSONParser({
    paths: ['$.format', '$.version', ...ARRAYS.map((a) => `$.${a}.*`)],
    keepStack: false,
  })
  let rows = 0
  let rootSeen = false
  parser.onValue = ({ value, key, stack }) => {
    const array = stack[1]?.key as (typeof ARRAYS)[number] | undefined
    if (stack.length === 1) {
      out.header[String(key)] = value
      return
    }
    if (!array || !ARRAYS.includes(array)) return
    if (array === 'tasks' || array === 'comments') {
      if (++rows > maxRows) throw new TooManyRows(maxRows)
    }
    const fields =
      value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { $: value }
    out[array].push({ row: (key as number) + 1, fields })
  }
  parser.onEnd = () => {
    rootSeen = true
  }
  try {
    for await (const chunk of input) parser.write(chunk as Buffer)
    if (!parser.isEnded) parser.end()
    if (!rootSeen) throw new Error('the document ends early')
  } catch (err) {
    input.destroy()
    out.fatal = err instanceof TooManyRows ? err.message : `not a readable JSON document: ${(err as Error).message}`
  }
  if (!out.fatal && (out.header.format !== 'tasklane' || out.header.version !== 1)) {
    out.fatal = 'not a Tasklane export: "format" must be "tasklane" and "version" 1'
  }
  return out
}
