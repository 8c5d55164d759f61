#!/usr/bin/env node
// npm run build:web [-- --if-stale]: builds the web app (web/ → web/dist/) with Vite, then writes a
// .br and a .gz beside every text asset (the server sends them to browsers that accept them).
// --if-stale builds only when the sources changed since the last build (a hash of web/ sources and
// the lockfile, kept in web/dist/.stamp): `npm start` runs it, so a fresh clone needs no third command.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const root = join(fileURLToPath(import.meta.url), '../..')
const web = join(root, 'web')
const out = join(web, 'dist')
const stampFile = join(out, '.stamp')
const { values } = parseArgs({ options: { 'if-stale': { type: 'boolean', default: false } } })

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'dist' || entry.name === 'node_modules' ? [] : files(path)
    return /\.test\.tsx?$/.test(entry.name) ? [] : [path]
  })
}

function sourceHash() {
  const hash = createHash('sha256')
  for (const file of [...files(web), join(root, 'package-lock.json')].sort()) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0')
  }
  return hash.digest('hex')
}

const stamp = sourceHash()
if (values['if-stale'] && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp) process.exit(0)

let build
try {
  ;({ build } = await import('vite'))
} catch {
  // installed without dev dependencies: serve the API, and say how to get the app
  process.stderr.write('web app not built: Vite is not installed (npm ci installs it); the API is served alone\n')
  process.exit(values['if-stale'] ? 0 : 1)
}
process.stdout.write('building the web app…\n')
await build({ configFile: join(web, 'vite.config.ts'), logLevel: 'warn' })

const COMPRESSIBLE = /\.(js|css|html|svg|json|txt)$/
for (const file of files(out).filter((f) => COMPRESSIBLE.test(f) && statSync(f).size > 1024)) {
  const bytes = readFileSync(file)
  writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }))
  writeFileSync(`${file}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }))
}
writeFileSync(stampFile, `${stamp}\n`)
process.stdout.write(`built ${relative(root, out)}\n`)
