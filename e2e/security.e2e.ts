import { generate } from 'otplib'
import { expect, newPerson, seriousViolations, signUp, test } from './fixtures.ts'

// a code of a later 30-second step than the last one used (the server never takes a step twice,
// and accepts one step either side of its clock)
const nextCode = (secret: string) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 })

test('two-factor: enrol on the Security page, sign out, sign in with a code, then with a recovery code', async ({
  page,
}) => {
  const person = await signUp(page)
  await page.getByRole('navigation').getByRole('link', { name: 'Security', exact: true }).click()
  await expect(page.getByText(/^Off: /)).toBeVisible()

  const setUp = page.getByRole('form', { name: 'Set up two-factor sign-in' })
  await setUp.getByLabel('Password').fill(person.password)
  await setUp.getByRole('button', { name: 'Set up two-factor sign-in' }).click()
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible()
  expect(await seriousViolations(page), 'security page, enrolling').toEqual([])
  const secret = await page.getByRole('textbox', { name: 'Secret key' }).inputValue()
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/)
  await page.getByRole('textbox', { name: 'Code' }).fill(await generate({ secret }))
  await page.getByRole('button', { name: 'Turn on' }).click()

  const codes = page.getByRole('region', { name: 'Recovery codes' }).getByRole('listitem')
  await expect(codes).toHaveCount(10)
  expect(await seriousViolations(page), 'security page, recovery codes').toEqual([])
  const recoveryCode = (await codes.first().textContent())!.trim()
  await page.getByRole('button', { name: 'I have saved them' }).click()
  await expect(page.getByText(/^On: .*10 recovery codes left/)).toBeVisible()

  const signInWith = async (code: string) => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click()
    await page.getByRole('textbox', { name: 'Email' }).fill(person.email)
    await page.getByLabel('Password').fill(person.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect(page.getByRole('heading', { name: 'Two-factor sign-in' })).toBeVisible()
    await page.getByRole('textbox', { name: 'Authentication code' }).fill(code)
    await page.getByRole('button', { name: 'Verify' }).click()
    await expect(page.getByRole('navigation').getByRole('link', { name: 'Tasks', exact: true })).toBeVisible()
  }
  await signInWith(await nextCode(secret))
  await signInWith(recoveryCode)

  await page.getByRole('navigation').getByRole('link', { name: 'Security', exact: true }).click()
  await expect(page.getByText(/^On: .*9 recovery codes left/)).toBeVisible()
})

test('single sign-on: the button on the sign-in page, the provider, and back signed in', async ({ page }) => {
  const person = newPerson('Sam Sign-On')
  await page.goto('/')
  await page.getByRole('link', { name: 'Sign in with Test IdP' }).click()
  // the stand-in provider's own sign-in form
  await page.getByRole('textbox', { name: 'Email' }).fill(person.email)
  await page.getByRole('textbox', { name: 'Name' }).fill(person.name)
  await page.getByRole('button', { name: 'Continue' }).click()

  await expect(page.getByRole('navigation').getByRole('link', { name: 'Tasks', exact: true })).toBeVisible()
  // the single-use code has left the address bar
  expect(page.url()).not.toContain('code=')
  // a new account, with its personal team
  await expect(page.getByRole('heading', { name: `${person.name}'s team` })).toBeVisible()
})

test('single sign-on refused by the provider says so on the callback page', async ({ page }) => {
  await page.goto('/sso/callback#error=email_not_verified')
  await expect(page.getByRole('alert')).toContainText('has not verified your email address')
  expect(await seriousViolations(page), 'single sign-on callback').toEqual([])
  await page.getByRole('link', { name: 'Back to sign-in' }).click()
  await expect(page.getByRole('link', { name: 'Sign in with Test IdP' })).toBeVisible()
})
