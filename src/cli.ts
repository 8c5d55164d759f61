import nodeModule from 'node:module'
import { parseArgs } from 'node:util'
import type { Logger } from 'pino'
import { type Config, ConfigError, loadConfig } from './config.ts'
import { OperatorError } from './lib/operator-error.ts'
import { createLogger } from './logger.ts'
import { VERSION } from './version.ts'

// Node ≥ 22.1 keeps the compiled code of the modules loaded below on disk (in the OS temp
// directory): a restart skips most of the parsing and compiling of the app's ~1,000 modules
;(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.()

// each command loads what it runs, when it runs it: `migrate status` or `--version` never pays for
// the whole app's imports, and `serve` starts loading the app while it opens the database (server.ts)
const migrations = () => import('./db/migrate.ts')
async function openConfiguredDb(config: Config, logger: Logger) {
  return (await import('./db/open.ts')).openConfiguredDb(config, logger)
}

const USAGE = `usage: tasklane <command>

commands:
  serve                 run the HTTP API and the web app (applies migrations unless MIGRATE_ON_START=false,
                        then waits for them; on the embedded database it runs the background jobs too)
  worker                run the background jobs only, no HTTP: webhook deliveries, email, PDF text
                        extraction, file removal and sweeps (any number of workers on one PostgreSQL)
  migrate up            apply pending migrations
  migrate down          roll back the last applied migration
  migrate status        list migrations and their state
  seed                  create the first admin from ADMIN_EMAIL (and ADMIN_PASSWORD, or a generated
                        password printed once); idempotent; an existing user of that email is made
                        admin and, if disabled, enabled again
  help, --help          this text
  --version             the version

configuration: environment variables (docs/configuration.md; .env.example lists them)
`

const out = (line: string) => process.stdout.write(`${line}\n`)
const fail = (line: string): never => {
  process.stderr.write(`${line}\n`)
  process.exit(1)
}

async function main(argv: string[]) {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false })
  const [command, sub] = positionals
  if (argv.includes('--version') || argv.includes('-v') || command === 'version') return out(VERSION)
  if (!command || command === 'help' || argv.includes('--help') || argv.includes('-h')) return out(USAGE)

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
      return (await import('./server.ts')).serve(config, logger)
    case 'worker':
      return (await import('./worker.ts')).runWorker(config, logger)
    case 'migrate': {
      const { migrateDown, migrateUp, migrationStatus } = await migrations()
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
      const [{ migrateUp }, { ensureAdmin }, { createPersonalTeam }] = await Promise.all([
        migrations(),
        import('./modules/admin/seed.ts'),
        import('./modules/teams/personal-team.ts'),
      ])
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

main(process.argv.slice(2)).catch((err) => {
  // what the operator fixes is one line; anything else keeps its stack for a bug report
  if (err instanceof OperatorError) fail(`tasklane: ${err.message}`)
  fail(err instanceof Error ? (err.stack ?? err.message) : String(err))
})
