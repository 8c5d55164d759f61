import type { SqlClient } from '../../src/db/client.ts'

/** A table's columns with their SQL types, in the order rows list their values. */
export type Columns = readonly (readonly [name: string, type: string])[]

export type Cell = string | number | boolean | null

/**
 * Inserts rows with one statement per batch: one array parameter per column, `unnest`ed back into
 * rows (no 65,535-parameter limit, one plan, the same on PostgreSQL and PGlite).
 */
export async function insertRows(sql: SqlClient, table: string, columns: Columns, rows: Cell[][]): Promise<void> {
  if (!rows.length) return
  const arrays = columns.map((_, c) => rows.map((r) => r[c] ?? null))
  const names = columns.map(([n]) => n).join(', ')
  const unnest = columns.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')
  await sql.query(`insert into ${table} (${names}) select * from unnest(${unnest})`, arrays)
}

/** Inserts many rows in batches of `batchSize`, reporting each batch. */
export async function insertAll(
  sql: SqlClient,
  table: string,
  columns: Columns,
  rows: Cell[][],
  batchSize: number,
  onBatch: (n: number) => void = () => {},
): Promise<void> {
  for (let i = 0; i < rows.length; i += batchSize) {
    const batch = rows.slice(i, i + batchSize)
    await insertRows(sql, table, columns, batch)
    onBatch(batch.length)
  }
}
