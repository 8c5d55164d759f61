import type { Browser, Page } from '@playwright/test'
import { createTask, expect, mailedLink, newPerson, signIn, signUp, test } from './fixtures.ts'

test('sign up, create a task, reload and stay signed in, sign out, sign in again', async ({ page }) => {
  const person = await signUp(page)
  for (const name of ['Tasks', 'Board', 'Dashboard', 'Notes']) {
    await expect(page.getByRole('navigation').getByRole('link', { name, exact: true })).toBeVisible()
  }
  await page.getByRole('link', { name: 'Tasks' }).click()
  await createTask(page, 'Write the launch post')
  await expect(page.getByRole('link', { name: 'Write the launch post' })).toBeVisible()
  await page.screenshot({ path: 'test-results/tasks.png' })

  await page.reload()
  await expect(page.getByRole('link', { name: 'Write the launch post' })).toBeVisible()

  await page.getByRole('button', { name: 'Sign out', exact: true }).click()
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible()
  await page.reload()
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible()

  await page.getByRole('textbox', { name: 'Email' }).fill(person.email)
  await page.getByLabel('Password').fill('not-the-password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('alert')).toBeVisible()
  await page.getByLabel('Password').fill(person.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('link', { name: 'Write the launch post' })).toBeVisible()
})

test('a rejected sign-up shows the API message next to the field', async ({ page }) => {
  const person = newPerson()
  await page.goto('/signup')
  await page.getByRole('textbox', { name: 'Name' }).fill(person.name)
  await page.getByRole('textbox', { name: 'Email' }).fill(person.email)
  await page.getByLabel('Password').fill('short')
  await page.getByRole('button', { name: 'Create account' }).click()
  await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true')
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription(/.+/)
})

test('forgot password asks for a link and answers the same for any address', async ({ page }) => {
  await page.goto('/')
  await page.getByRole('link', { name: 'Forgot your password?' }).click()
  await page.getByRole('textbox', { name: 'Email' }).fill(newPerson().email)
  await page.getByRole('button', { name: 'Send the link' }).click()
  await expect(page.getByRole('status')).toContainText('If an account uses this address')
})

test('forgot password: the emailed link sets a new password, which signs in', async ({ page }) => {
  const person = await signUp(page)
  await page.getByRole('button', { name: 'Sign out', exact: true }).click()
  await page.getByRole('link', { name: 'Forgot your password?' }).click()
  await page.getByRole('textbox', { name: 'Email' }).fill(person.email)
  await page.getByRole('button', { name: 'Send the link' }).click()
  await expect(page.getByRole('status')).toContainText('If an account uses this address')

  await page.goto(await mailedLink(person.email, '/reset-password'))
  const newPassword = `${person.password}-renewed`
  await page.getByLabel('New password').fill(newPassword)
  await page.getByRole('button', { name: 'Set the password' }).click()
  await expect(page.getByRole('status')).toContainText('Your password is changed')
  await page.getByRole('link', { name: 'Sign in' }).click()
  await signIn(page, { ...person, password: newPassword })
})

/** A browser of its own (another person), on the tests' server. */
async function anotherBrowser(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ baseURL: process.env.E2E_BASE_URL })
  return context.newPage()
}

/** Invites an address from the Members page of the signed-in person's current team. */
async function invite(page: Page, email: string) {
  await page.getByRole('navigation').getByRole('link', { name: 'Members', exact: true }).click()
  await page.getByRole('textbox', { name: 'Email of the person to add' }).fill(email)
  await page.getByRole('button', { name: 'Add member' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'An invitation is on its way' })).toBeVisible()
}

/** The Teams page lists a team by name. */
async function expectTeam(page: Page, name: string) {
  await page.getByRole('navigation').getByRole('link', { name: 'Teams', exact: true }).click()
  await expect(page.getByRole('rowheader', { name })).toBeVisible()
}

test('an invitation accepted by creating the account from its link', async ({ page, browser }) => {
  const owner = await signUp(page, newPerson('Olga Owner'))
  const newcomer = newPerson('Nina Newcomer')
  await invite(page, newcomer.email)

  const theirs = await anotherBrowser(browser)
  await theirs.goto(await mailedLink(newcomer.email, '/invitations/accept'))
  await expect(theirs.getByText(`Olga Owner invited ${newcomer.email} to join Olga Owner's team`)).toBeVisible()
  await theirs.getByRole('textbox', { name: 'Name' }).fill(newcomer.name)
  await theirs.getByRole('textbox', { name: 'Email' }).fill(newcomer.email)
  await theirs.getByLabel('Password').fill(newcomer.password)
  await theirs.getByRole('button', { name: 'Create account' }).click()
  await expect(theirs.getByRole('navigation').getByRole('link', { name: 'Tasks', exact: true })).toBeVisible()
  await expectTeam(theirs, `${owner.name}'s team`)
})

test('an invitation accepted signed in, by a person who has an account', async ({ page, browser }) => {
  const owner = await signUp(page, newPerson('Otto Owner'))
  // the link went to an address of theirs that has no account; they open it signed in
  const address = newPerson().email
  await invite(page, address)

  const theirs = await anotherBrowser(browser)
  await signUp(theirs, newPerson('Sid Signed-In'))
  await theirs.goto(await mailedLink(address, '/invitations/accept'))
  await expect(theirs.getByRole('heading', { name: "Join Otto Owner's team" })).toBeVisible()
  await theirs.getByRole('button', { name: 'Join the team' }).click()
  await expect(theirs.getByRole('navigation').getByRole('link', { name: 'Tasks', exact: true })).toBeVisible()
  await expectTeam(theirs, `${owner.name}'s team`)
})

test('an invitation link with a dead token says so', async ({ page }) => {
  await page.goto('/invitations/accept?token=not-a-real-token')
  await expect(page.getByRole('alert')).toContainText('no longer valid')
})

test('the app works over plain HTTP under a LAN host name', async ({ page }) => {
  // tasklane.lan resolves to this machine (playwright.config.ts): no https upgrade, same-origin API
  const lan = new URL(process.env.E2E_BASE_URL!)
  lan.hostname = 'tasklane.lan'
  await page.goto(lan.href)
  await expect(page).toHaveURL(/^http:\/\/tasklane\.lan:/)
  await page.getByRole('link', { name: 'Create account' }).click()
  const person = newPerson()
  await page.getByRole('textbox', { name: 'Name' }).fill(person.name)
  await page.getByRole('textbox', { name: 'Email' }).fill(person.email)
  await page.getByLabel('Password').fill(person.password)
  await page.getByRole('button', { name: 'Create account' }).click()
  // creates and the event stream's ticket are POSTs with an Idempotency-Key, made without
  // crypto.randomUUID (which a browser offers only on https or localhost)
  await createTask(page, 'Works on the LAN')
  await expect(page.getByRole('link', { name: 'Works on the LAN' })).toBeVisible()
  await expect(page.getByText('Live', { exact: true })).toBeVisible()
})
