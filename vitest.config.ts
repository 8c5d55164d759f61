import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // web/ component tests say `// @vitest-environment happy-dom` at their top; the rest run in node
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.{ts,tsx}'],
    globalSetup: ['test/global-setup.ts'],
    // fails a file in which a route answered a status its OpenAPI responses do not list
    setupFiles: ['test/answers-check.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // PGlite images are loaded per file; two cores are shared with the database on real PostgreSQL
    maxWorkers: 3,
  },
})
