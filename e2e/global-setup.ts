import { startOidcProvider } from '../test/oidc-provider.ts'
import { freePort } from '../test/private-services.ts'
import { buildWebApp, startServer } from './server.ts'

export const SSO_PROVIDER_NAME = 'Test IdP'

/**
 * Builds the web app if its sources changed and starts the server the tests use (E2E_BASE_URL),
 * with single sign-on against a stand-in OpenID provider on 127.0.0.1; returns the teardown.
 */
export default async function globalSetup() {
  buildWebApp()
  const client = { clientId: 'tasklane-e2e', clientSecret: 'e2e-client-secret' }
  const provider = await startOidcProvider(client)
  // the callback registered at the provider names the server's port, so it is chosen first
  const port = await freePort()
  const redirectUri = `http://127.0.0.1:${port}/api/v1/auth/oidc/callback`
  provider.allowRedirect(redirectUri)
  const server = await startServer({
    PORT: String(port),
    OIDC_ISSUER: provider.url,
    OIDC_CLIENT_ID: client.clientId,
    OIDC_CLIENT_SECRET: client.clientSecret,
    OIDC_REDIRECT_URI: redirectUri,
    OIDC_PROVIDER_NAME: SSO_PROVIDER_NAME,
  })
  process.env.E2E_BASE_URL = server.url
  // no SMTP: the server keeps each email in DATA_DIR/outbox, where the tests read their links
  process.env.E2E_DATA_DIR = server.dataDir
  return async () => {
    await server.stop()
    await provider.close()
  }
}
