import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { freshDatabaseUrl, testDatabaseUrl } from '../test/db.ts'
import { killClis, listening, runCli, terminate } from '../test/spawn.ts'

afterEach(killClis)

const VERSION = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version
const TIMEOUT = 180_000

async function env(): Promise<Record<string, string>> {
  return {
    DATA_DIR: mkdtempSync(join(tmpdir(), 'tasklane-cli-')),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    NODE_ENV: 'development',
    ...(testDatabaseUrl() ? { DATABASE_URL: await freshDatabaseUrl() } : {}),
  }
}

// one line on stderr, naming the problem, without a stack trace
function expectOneLine(stderr: string, what: RegExp) {
  const lines = stderr.trim().split('\n')
  expect(lines, stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^tasklane: /)
  expect(lines[0]).toMatch(what)
}

describe('the command line', () => {
  it('prints its version', { timeout: TIMEOUT }, async () => {
    const cli = runCli(['--version'], {})
    expect(await cli.exited).toBe(0)
    expect(cli.logs.map((l) => l.msg)).toEqual([VERSION])
  })

  it('lists every command, with what the worker runs', { timeout: TIMEOUT }, async () => {
    const cli = runCli(['--help'], {})
    expect(await cli.exited).toBe(0)
    const help = cli.logs.map((l) => l.msg).join('\n')
    for (const command of ['serve', 'worker', 'migrate up', 'migrate down', 'migrate status', 'seed', '--version']) {
      expect(help).toContain(command)
    }
    expect(help).toMatch(/worker[\s\S]*webhook deliveries, email, PDF text/)
  })

  it('refuses a busy port in one line, before opening the database', { timeout: TIMEOUT }, async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as { port: number }).port
    try {
      const e = await env()
      const cli = runCli(['serve'], { ...e, PORT: String(port) })
      expect(await cli.exited).toBe(1)
      expectOneLine(cli.stderr(), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`))
      // nothing was opened nor migrated
      expect(cli.logs.map((l) => l.msg)).not.toContain('migrations applied')
    } finally {
      taken.close()
    }
  })

  it.skipIf(testDatabaseUrl())(
    'refuses the embedded database a server holds in one line (migrate status while it runs)',
    { timeout: TIMEOUT },
    async () => {
      const e = await env()
      const server = runCli(['serve'], e)
      await listening(server, TIMEOUT - 30_000)
      const status = runCli(['migrate', 'status'], e)
      expect(await status.exited).toBe(1)
      expectOneLine(status.stderr(), new RegExp(`in use by process ${server.child.pid}\\b`))
      expect(await terminate(server)).toBe(0)
      // once the server stopped, the same command works
      const again = runCli(['migrate', 'status'], e)
      expect(await again.exited).toBe(0)
      expect(again.logs.map((l) => l.msg).join('\n')).toMatch(/^applied/)
    },
  )
})
