import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from './config.ts'
import { migrateDown, migrateUp, migrationStatus } from './db/migrate.ts'
import { openConfiguredDb } from './db/open.ts'
import { createLogger } from './logger.ts'
import { createPersonalTeam } from './modules/teams/personal-team.ts'
import { ensureAdmin } from './modules/users/seed.ts'
import { serve } from './server.ts'
import { runWorker } from './worker.ts'

const USAGE = `usage: tasklane <command>

commands:
  serve                 run the HTTP API (applies migrations unless MIGRATE_ON_START=false)
  worker                run the background job handlers only (PDF extraction, file removal, sweeps)
  migrate up            apply pending migrations
  migrate down          roll back the last applied migration
  migrate status        list migrations and their state
  seed                  create the first admin from ADMIN_EMAIL (and ADMIN_PASSWORD, or a generated
                        password printed once); idempotent; an existing user of that email is made
                        admin and, if disabled, enabled again
`

const out = (line: string) => process.stdout.write(`${line}\n`)
const fail = (line: string): never => {
  process.stderr.write(`${line}\n`)
  process.exit(1)
}

async function main(argv: string[]) {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false })
  const [command, sub] = positionals
  if (!command || command === 'help') return out(USAGE)

  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message)
    throw err
  }
  const logger = createLogger(config)

  switch (command) {
    case 'serve':
      return serve(config, logger)
    case 'worker':
      return runWorker(config, logger)
    case 'migrate': {
      const database = await openConfiguredDb(config, logger)
      try {
        if (sub === 'up' || sub === undefined) {
          const applied = await migrateUp(database)
          out(applied.length ? applied.map((t) => `applied ${t}`).join('\n') : 'nothing to apply')
        } else if (sub === 'down') {
          const tag = await migrateDown(database)
          out(tag ? `rolled back ${tag}` : 'nothing to roll back')
        } else if (sub === 'status') {
          for (const m of await migrationStatus(database)) {
            out(`${m.state.padEnd(8)} ${m.tag}${m.appliedAt ? `  ${m.appliedAt.toISOString()}` : ''}`)
          }
        } else fail(`unknown migrate command: ${sub}\n\n${USAGE}`)
      } finally {
        await database.close()
      }
      return
    }
    case 'seed': {
      if (!config.ADMIN_EMAIL) fail('seed: set ADMIN_EMAIL (and ADMIN_PASSWORD, or one is generated)')
      const database = await openConfiguredDb(config, logger)
      try {
        await migrateUp(database)
        // run by an operator: an admin locked out by being disabled is enabled again
        const result = await ensureAdmin(
          database.db,
          { email: config.ADMIN_EMAIL!, password: config.ADMIN_PASSWORD, reenable: true },
          createPersonalTeam,
        )
        if (result.outcome === 'created') {
          out(`created admin ${config.ADMIN_EMAIL}`)
          if (result.generatedPassword) out(`generated password (shown once): ${result.generatedPassword}`)
        } else {
          const done = [result.promoted && 'promoted to admin', result.reenabled && 're-enabled'].filter(Boolean)
          out(`${config.ADMIN_EMAIL} ${done.length ? done.join(' and ') : 'is already an admin'}`)
        }
      } finally {
        await database.close()
      }
      return
    }
    default:
      fail(`unknown command: ${command}\n\n${USAGE}`)
  }
}

main(process.argv.slice(2)).catch((err) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)))
