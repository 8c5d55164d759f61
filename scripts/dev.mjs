#!/usr/bin/env node
// npm run dev: the API (restarted on every change in src/, on PORT, default 3000) and the web app
// with hot reload on Vite's server (WEB_DEV_PORT, default 5173), which sends /api to the API.
// Open the Vite URL it prints. Ctrl-C stops both.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createServer } from 'vite'

const root = join(fileURLToPath(import.meta.url), '../..')
const port = process.env.PORT ?? '3000'
const api = spawn(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'watch', 'src/cli.ts', 'serve'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PORT: port },
})
process.env.TASKLANE_API_URL ??= `http://127.0.0.1:${port}`
const vite = await createServer({
  configFile: join(root, 'web/vite.config.ts'),
  server: { port: Number(process.env.WEB_DEV_PORT ?? 5173), strictPort: false },
})
await vite.listen()
vite.printUrls()

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  api.kill('SIGTERM')
  await vite.close()
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
api.on('exit', (code) => {
  if (!stopping) process.stderr.write(`the API exited (${code}); the web server keeps running\n`)
})
