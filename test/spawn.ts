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
