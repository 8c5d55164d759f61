import { buildWebApp, startServer } from './server.ts'

/** Builds the web app if its sources changed and starts the server the tests use (E2E_BASE_URL); returns the teardown. */
export default async function globalSetup() {
  buildWebApp()
  const server = await startServer()
  process.env.E2E_BASE_URL = server.url
  return server.stop
}
