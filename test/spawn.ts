import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** A CLI process started by a test. */
export interface Cli {
  child: ChildProcess
  /** every JSON log line written so far (a line that is not JSON as `{ msg: line }`) */
  logs: Record<string, unknown>[]
  stderr(): string
  exited: Promise<number | null>
}

const running: Cli[] = []

/**
 * Runs the real CLI (`src/cli.ts`) as the npm scripts do, with nothing from this process's environment but PATH.
 * Call `killClis` after each test: a process a failed test left running is killed, not waited for.
 */
export function runCli(args: string[], env: Record<string, string>): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: Record<string, unknown>[] = []
  let stderr = ''
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line))
    } catch {
      logs.push({ msg: line })
    }
  })
  child.stderr!.on('data', (chunk) => {
    stderr += chunk
  })
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  const cli = { child, logs, stderr: () => stderr, exited }
  running.push(cli)
  return cli
}

/** SIGKILLs every CLI process `runCli` started that is still running. */
export function killClis(): void {
  for (const cli of running.splice(0)) if (cli.child.exitCode === null) cli.child.kill('SIGKILL')
}

/** Resolves with the URL a `serve` process logs once it listens; rejects if it exits first. */
export async function listening(cli: Cli, timeoutMs = 90_000): Promise<string> {
  return waitForLog(cli, (l) => typeof l.url === 'string', timeoutMs).then((l) => l.url as string)
}

/** Resolves with the first log line that matches; rejects if the process exits first or `timeoutMs` passes. */
export async function waitForLog(
  cli: Cli,
  match: (line: Record<string, unknown>) => boolean,
  timeoutMs = 90_000,
): Promise<Record<string, unknown>> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const line = cli.logs.find(match)
    if (line) return line
    if (cli.child.exitCode !== null) throw new Error(`exited with ${cli.child.exitCode}: ${cli.stderr()}`)
    if (Date.now() > until) throw new Error(`no such log line within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** SIGTERMs the process and resolves with its exit code (SIGKILL after `timeoutMs`, resolving null). */
export async function terminate(cli: Cli, timeoutMs = 60_000): Promise<number | null> {
  if (cli.child.exitCode !== null) return cli.child.exitCode
  cli.child.kill('SIGTERM')
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), timeoutMs)
  try {
    return await cli.exited
  } finally {
    clearTimeout(timer)
  }
}
