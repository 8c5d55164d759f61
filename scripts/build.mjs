#!/usr/bin/env node
// npm run build [-- --out-dir DIR]: compiles src/ to JavaScript (default dist/) with the files the code
// reads beside it (common-passwords.txt…), so `node dist/cli.js serve` runs without tsx: the Docker
// image runs that, and it spares the ~80 MB tsx holds in every process. The compiled code finds the
// migrations and package.json one level above its directory, as dist/ sits beside them here.
import { spawnSync } from 'node:child_process'
import { cpSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: join(root, 'dist') } } })
const outDir = resolve(values['out-dir'])

rmSync(outDir, { recursive: true, force: true })
const tsc = spawnSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir],
  { cwd: root, stdio: 'inherit' },
)
if (tsc.status !== 0) process.exit(tsc.status ?? 1)
cpSync(join(root, 'src'), outDir, { recursive: true, filter: (f) => !f.endsWith('.ts') })
// the commit tasklane_build_info reports: GIT_COMMIT (the image is built without .git), else git's HEAD
const git = spawnSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, encoding: 'utf8' })
const commit = process.env.GIT_COMMIT || (git.status === 0 ? git.stdout.trim() : 'unknown')
writeFileSync(join(outDir, 'build.json'), `${JSON.stringify({ commit })}\n`)
// the web app the server serves from web/dist (beside dist/, as the compiled code looks one level up)
const web = spawnSync(process.execPath, [join(root, 'scripts/web-build.mjs'), '--if-stale'], {
  cwd: root,
  stdio: 'inherit',
})
if (web.status !== 0) process.exit(web.status ?? 1)
process.stdout.write(`built ${outDir}\n`)
