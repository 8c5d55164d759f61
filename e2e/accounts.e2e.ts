import { createTask, expect, newPerson, signUp, test } from './fixtures.ts'

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
