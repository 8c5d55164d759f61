import { defineConfig } from '@playwright/test'

// Debian's Chromium (browsers cannot be downloaded here); .ci/run installs it when missing
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export default defineConfig({
  testDir: '.',
  testMatch: '*.e2e.ts',
  globalSetup: './global-setup.ts',
  // one server, one embedded database: tests build their own users and teams, and run one at a time
  // (two cores are shared with other work here)
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  outputDir: '../test-results',
  use: {
    browserName: 'chromium',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // a LAN host name, as a team opens the server on its network: resolved to this machine
        '--host-resolver-rules=MAP tasklane.lan 127.0.0.1',
      ],
    },
  },
})
