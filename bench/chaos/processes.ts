import { type Cli, runCli, terminate, waitForLog } from '../../test/spawn.ts'

/** An API instance or a worker that the chaos run starts, kills and starts again. */
export interface Proc {
  name: string
  /** the API's base URL (fixed port, the same after a restart); undefined for a worker */
  base?: string
  /** Starts it and resolves with how long it took to serve (listening, or 'worker running'). */
  start(): Promise<number>
  /** SIGKILL or SIGTERM; resolves with the exit code (null when killed by the signal). */
  stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<number | null>
  running(): boolean
  /** every log line of every run of it so far */
  logs(): Record<string, unknown>[]
  /** exits nobody asked for (a crash): each with its code and the last log lines */
  crashes: { code: number | null; at: number; tail: string }[]
}

const START_TIMEOUT_MS = 120_000

// the API logs at warn (the startup line is info): it is up once /health answers
async function healthy(base: string, cli: Cli) {
  const until = Date.now() + START_TIMEOUT_MS
  while (Date.now() < until) {
    if (cli.child.exitCode !== null) throw new Error(`exited with ${cli.child.exitCode}: ${cli.stderr()}`)
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${base} did not answer /health within ${START_TIMEOUT_MS} ms`)
}

function proc(name: string, args: string[], env: Record<string, string>, base?: string): Proc {
  let cli: Cli | undefined
  const runs: Cli[] = []
  let stopping = false
  const crashes: Proc['crashes'] = []
  return {
    name,
    base,
    crashes,
    logs: () => runs.flatMap((r) => r.logs),
    running: () => !!cli && cli.child.exitCode === null && cli.child.signalCode === null,
    async start() {
      const began = Date.now()
      stopping = false
      const current = runCli(args, env)
      cli = current
      runs.push(current)
      void current.exited.then((code) => {
        if (stopping || cli !== current) return
        const tail = current.logs
          .slice(-5)
          .map((l) => JSON.stringify(l))
          .join('\n')
        crashes.push({ code, at: Date.now(), tail: `${tail}\n${current.stderr().slice(-2_000)}` })
      })
      if (base) await healthy(base, current)
      else await waitForLog(current, (l) => l.msg === 'worker running', START_TIMEOUT_MS)
      return Date.now() - began
    },
    async stop(signal) {
      const current = cli
      if (!current) return null
      stopping = true
      if (signal === 'SIGTERM') return terminate(current, 60_000)
      current.child.kill('SIGKILL')
      return current.exited
    },
  }
}

/** An API instance on a fixed port, so clients find it again after a restart. */
export const apiInstance = (name: string, port: number, env: Record<string, string>) =>
  proc(name, ['serve'], { ...env, PORT: String(port), LOG_LEVEL: 'warn' }, `http://127.0.0.1:${port}`)

/** A worker (it logs at info: 'worker running' says it is up; it logs little else without webhooks). */
export const workerProcess = (name: string, env: Record<string, string>) =>
  proc(name, ['worker'], { ...env, MIGRATE_ON_START: 'false', LOG_LEVEL: 'info' })
