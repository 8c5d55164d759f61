#!/usr/bin/env node
// Runs the CLI from its TypeScript source through tsx (the same entry `npm start` uses).
import { register } from 'tsx/esm/api'

register()
await import('../src/cli.ts')
