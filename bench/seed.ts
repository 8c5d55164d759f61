// npm run bench:seed -- --size small|large|huge --seed 42 [--force]
import { openBenchDb } from './lib/db.ts'
import { commonOptions } from './lib/options.ts'
import { seedDatabase } from './seed/seed.ts'

const { size, seed, databaseUrl, values } = commonOptions(process.argv.slice(2), { force: { type: 'boolean' } })
const database = await openBenchDb(databaseUrl, size)
try {
  const summary = await seedDatabase(database, size, seed, values.force === true)
  const counts = Object.entries(summary.counts)
    .map(([t, n]) => `${t} ${n.toLocaleString('en')}`)
    .join(', ')
  process.stdout.write(
    `seeded ${size} (seed ${seed}) on ${database.kind} in ${summary.seconds.toFixed(1)} s: ${counts}\n`,
  )
} finally {
  await database.close()
}
