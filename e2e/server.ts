import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Builds the web app when its sources changed (the server then serves the current build). */
export function buildWebApp() {
  const build = spawnSync(process.execPath, [join(root, 'scripts/web-build.mjs'), '--if-stale'], { stdio: 'inherit' })
  if (build.status !== 0) throw new Error('the web app did not build')
}

/** The real server on a fresh embedded database and a free port, as `npm start` runs it. */
export async function startServer(
  env: Record<string, string> = {},
): Promise<{ url: string; dataDir: string; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tasklane-e2e-'))
  const server = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli.ts'), 'serve'], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      RATE_LIMIT_ENABLED: 'false',
      DATABASE_URL: '',
      REDIS_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = await listening(server)
  return {
    url,
    dataDir,
    stop: async () => {
      server.kill('SIGTERM')
      await new Promise((resolve) => {
        const timer = setTimeout(() => {
          server.kill('SIGKILL')
          resolve(undefined)
        }, 15_000)
        server.once('exit', () => {
          clearTimeout(timer)
          resolve(undefined)
        })
      })
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

// the server logs one JSON line with its URL once it listens; a start on a busy machine can take a while
function listening(server: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not start within 120 s')), 120_000)
    let buffered = ''
    server.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      for (const line of buffered.split('\n')) {
        if (line.includes('"url"') && line.includes('listening')) {
          clearTimeout(timer)
          resolve((JSON.parse(line) as { url: string }).url)
        }
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1)
    })
    server.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening`)))
  })
}
