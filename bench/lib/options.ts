import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'

export const SIZES = {
  small: { tasks: 20_000, users: 2_000 },
  large: { tasks: 200_000, users: 10_000 },
  huge: { tasks: 1_000_000, users: 30_000 },
} as const
export type Size = keyof typeof SIZES

export const BENCH_DIR = resolve(import.meta.dirname, '..')
/** the embedded database the bench uses when DATABASE_URL is unset (one per size) */
export const embeddedDataDir = (size: Size) => join(BENCH_DIR, '.data', size)

/** The options both commands share: size, seed and the database (DATABASE_URL or embedded). */
type Option = { type: 'string'; default?: string } | { type: 'boolean'; default?: boolean }

export function commonOptions(argv: string[], extra: Record<string, Option> = {}) {
  const parsed = parseArgs({
    args: argv,
    strict: true,
    options: {
      size: { type: 'string', default: 'small' },
      seed: { type: 'string', default: '42' },
      ...extra,
    },
  })
  const values = parsed.values as Record<string, string | boolean | undefined>
  const size = values.size as string
  if (!(size in SIZES)) throw new Error(`--size must be one of ${Object.keys(SIZES).join(', ')}`)
  const seed = Number(values.seed)
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer')
  const databaseUrl = process.env.DATABASE_URL || undefined
  if (!databaseUrl && size !== 'small')
    throw new Error('the embedded database is for --size small only: set DATABASE_URL')
  return { values, size: size as Size, seed, databaseUrl }
}
