import { seedDatabase } from '../seed/seed.ts'
import { openBenchDb } from './db.ts'
import { type BenchUser, loadFixtures } from './fixtures.ts'
import { SIZES, type Size } from './options.ts'

/** Seeds the bench world of `size` unless the database holds it already, and returns `count` users to drive it with. */
export async function prepareWorld(
  databaseUrl: string | undefined,
  size: Size,
  seed: number,
  log: (line: string) => void,
  count = 50,
): Promise<BenchUser[]> {
  const database = await openBenchDb(databaseUrl, size)
  try {
    const { rows } = await database.sql
      .query<{ n: number }>(`select count(*)::int as n from users where email like '%@bench.tasklane.test'`)
      .catch(() => ({ rows: [{ n: 0 }] }))
    if (rows[0]!.n !== SIZES[size].users) {
      log(`seeding ${size} (seed ${seed}) on ${database.kind}…`)
      const s = await seedDatabase(database, size, seed)
      log(`seeded in ${s.seconds.toFixed(1)} s`)
    }
    return await loadFixtures(database.sql, count)
  } finally {
    await database.close()
  }
}
