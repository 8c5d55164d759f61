#!/usr/bin/env node
// Runs the CLI: from its TypeScript source through tsx in a checkout (the same entry `npm start` uses),
// or the compiled dist/cli.js where only the production dependencies are installed (no tsx).
let tsx
try {
  tsx = await import('tsx/esm/api')
} catch {
  tsx = undefined
}
if (tsx) {
  tsx.register()
  await import('../src/cli.ts')
} else {
  await import('../dist/cli.js')
}
