#!/usr/bin/env node
// npm run build [-- --out-dir DIR]: compiles src/ to JavaScript (default dist/) with the files the code
// reads beside it (common-passwords.txt…), so `node dist/cli.js serve` runs without tsx: the Docker
// image runs that, and it spares the ~80 MB tsx holds in every process. The compiled code finds the
// migrations and package.json one level above its directory, as dist/ sits beside them here.
import { spawnSync } from 'node:child_process'
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { build } from 'esbuild'

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
await bundleDrizzle(outDir)
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

/**
 * drizzle-orm, bundled into dist/vendor/drizzle-orm/ and the compiled imports pointed at it. Node ≥ 22
 * parses a package's package.json again for every module it resolves inside the package (to tell
 * its module format), and drizzle-orm's is 179 KB across the ~200 modules the app loads: about 1 s of
 * every start on Node 24 and 26 (0.1 s on Node 20). Bundled, they are a few files resolved once.
 */
async function bundleDrizzle(dir) {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => join(e.parentPath, e.name))
  const specifier = /(?<=(?:\bfrom\s*|\bimport\s*\(\s*)(['"]))drizzle-orm(?:\/([\w-]+))?(?=\1)/g
  const entries = new Map()
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(specifier)) entries.set(m[0], m[2] ?? 'index')
  }
  if (entries.size === 0) return
  const vendor = join(dir, 'vendor/drizzle-orm')
  await build({
    entryPoints: Object.fromEntries(
      [...entries].map(([spec, name]) => [name, fileURLToPath(import.meta.resolve(spec))]),
    ),
    outdir: vendor,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  })
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    const rewritten = text.replace(specifier, (spec) => {
      const path = relative(dirname(file), join(vendor, `${entries.get(spec)}.js`))
      return path.startsWith('.') ? path : `./${path}`
    })
    if (rewritten !== text) writeFileSync(file, rewritten)
    // an import the pattern missed would load the package a second time (and pay its resolution)
    if (/['"]drizzle-orm[/'"]/.test(rewritten)) throw new Error(`${file} still imports drizzle-orm from node_modules`)
  }
}
