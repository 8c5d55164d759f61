import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../test/app.ts'
import { webAppDir } from './web-app.ts'

/**
 * The API reference in a real Chromium, opened over plain HTTP under a host name that is not
 * localhost (browsers treat localhost as secure, so only another name shows what a LAN user
 * sees). Chromium resolves the name to the test server through --host-resolver-rules. Debian's
 * chromium is used as installed: a browser cannot be downloaded here.
 */
const CHROMIUM = '/usr/bin/chromium'
const HOST = 'some-host.test'
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  `--host-resolver-rules=MAP ${HOST} 127.0.0.1`,
]
const hasChromium = existsSync(CHROMIUM)

describe.skipIf(!hasChromium)(
  `the API reference and the app over plain HTTP at http://${HOST}${hasChromium ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let t: TestApp
    let browser: Browser
    let origin: string

    beforeAll(async () => {
      t = await createTestApp()
      const address = await t.app.listen({ port: 0, host: '127.0.0.1' })
      origin = address.replace('127.0.0.1', HOST)
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 })
    }, 120_000)

    afterAll(async () => {
      await browser?.close()
      await t?.close()
    })

    /** A page that records every request that failed, and every one sent anywhere but the server's own origin. */
    async function watchedPage() {
      const page = await browser.newPage()
      const failed: string[] = []
      page.on('requestfailed', (req) => failed.push(`${req.url()} ${req.failure()?.errorText}`))
      const elsewhere: string[] = []
      page.on('request', (req) => {
        if (!req.url().startsWith(`${origin}/`)) elsewhere.push(req.url())
      })
      return { page, failed, elsewhere }
    }

    // the app is served when it is built (npm start builds it; the e2e harness covers its pages)
    it('renders the web app at /: its script runs', async (ctx) => {
      if (!webAppDir(t.config.WEB_DIR)) ctx.skip(`the web app is not built in ${t.config.WEB_DIR}`)
      const { page, failed, elsewhere } = await watchedPage()
      const res = await page.goto(`${origin}/`, { timeout: 60_000 })
      expect(res?.status()).toBe(200)
      // #root is empty in index.html: anything in it was put there by the app's script
      await expect.poll(() => page.locator('#root > *').count(), { timeout: 60_000 }).toBeGreaterThan(0)
      expect(failed).toEqual([])
      expect(elsewhere).toEqual([])
      await page.close()
    }, 180_000)

    it('renders /docs: its script runs and loads the document, nothing is fetched over https', async () => {
      const { page, failed, elsewhere } = await watchedPage()
      const documentLoaded = page.waitForResponse(`${origin}/openapi.json`, { timeout: 60_000 })

      const res = await page.goto(`${origin}/docs`, { timeout: 60_000 })
      expect(res?.status()).toBe(200)
      // the document is fetched by the reference's script: it only arrives if that script ran
      expect((await documentLoaded).status()).toBe(200)
      // and the script rendered it: the document's title and description are on the page
      await expect
        .poll(() => page.getByRole('heading', { name: 'Tasklane API' }).isVisible(), { timeout: 60_000 })
        .toBe(true)
      expect(await page.getByText('Project & task management backend').first().isVisible()).toBe(true)
      expect(failed).toEqual([])
      expect(elsewhere).toEqual([])
      await page.close()
    }, 180_000)
  },
)
