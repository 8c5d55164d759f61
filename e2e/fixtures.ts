import { randomBytes } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import { test as base, expect, type Page } from '@playwright/test'

export { expect }

export interface Person {
  name: string
  email: string
  password: string
}

export const newPerson = (name = 'Ada Lovelace'): Person => ({
  name,
  email: `e2e-${randomBytes(5).toString('hex')}@example.test`,
  password: `pw-${randomBytes(8).toString('hex')}`,
})

export const test = base.extend({
  // every page opens the server the global setup started
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern
  baseURL: async ({}, use) => use(process.env.E2E_BASE_URL),
})

/** Creates an account through the form and waits for the signed-in app. */
export async function signUp(page: Page, person: Person = newPerson()): Promise<Person> {
  await page.goto('/')
  await page.getByRole('link', { name: 'Create account' }).click()
  await page.getByRole('textbox', { name: 'Name' }).fill(person.name)
  await page.getByRole('textbox', { name: 'Email' }).fill(person.email)
  await page.getByLabel('Password').fill(person.password)
  await page.getByRole('button', { name: 'Create account' }).click()
  await expect(page.getByRole('navigation').getByRole('link', { name: 'Tasks' })).toBeVisible()
  return person
}

/** Creates a task through the New task dialog and waits for it in the list. */
export async function createTask(page: Page, title: string) {
  await page.getByRole('button', { name: 'New task' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByRole('textbox', { name: 'Title' }).fill(title)
  await dialog.getByRole('button', { name: 'Create task' }).click()
  await expect(dialog).toBeHidden()
}

/** Signs in through the form (a second browser of the same person, say). */
export async function signIn(page: Page, person: Person) {
  await page.goto('/')
  await page.getByRole('textbox', { name: 'Email' }).fill(person.email)
  await page.getByLabel('Password').fill(person.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('navigation').getByRole('link', { name: 'Tasks', exact: true })).toBeVisible()
}

/** Opens a task's detail from the task list. */
export async function openTask(page: Page, title: string) {
  await page.getByRole('navigation').getByRole('link', { name: 'Tasks', exact: true }).click()
  await page.getByRole('link', { name: title, exact: true }).click()
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible()
}

/** The board column (region) of a status. */
export const column = (page: Page, name: 'To do' | 'In progress' | 'Done' | 'Cancelled') =>
  page.getByRole('region', { name, exact: true })

/** The page's serious and critical axe-core violations (WCAG 2.1 A and AA), one line each. */
export async function seriousViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
}

/**
 * The link to `route` (e.g. `/reset-password`) in the newest email to `to`, as a path for page.goto.
 * The server has no SMTP here: it keeps every email in DATA_DIR/outbox as a .json summary.
 */
export async function mailedLink(to: string, route: string): Promise<string> {
  const outbox = join(process.env.E2E_DATA_DIR!, 'outbox')
  const pattern = new RegExp(`https?://[^\\s"]+${route}\\?token=[\\w-]+`)
  let link: string | undefined
  await expect
    .poll(
      async () => {
        const files = (await readdir(outbox).catch(() => [])).filter((f) => f.endsWith('.json')).sort()
        for (const file of files.reverse()) {
          const mail = JSON.parse(await readFile(join(outbox, file), 'utf8')) as { to: string; text: string }
          const found = mail.to === to ? pattern.exec(mail.text)?.[0] : undefined
          if (found) {
            const url = new URL(found)
            link = url.pathname + url.search
            return true
          }
        }
        return false
      },
      { timeout: 30_000, message: `an email to ${to} with a ${route} link` },
    )
    .toBe(true)
  return link!
}
