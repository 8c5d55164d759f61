import { expect, newPerson, signUp, test } from './fixtures.ts'

test('notes, members, access tokens, webhooks, the account page and a new team', async ({ page, request }) => {
  const person = await signUp(page)
  const nav = page.getByRole('navigation')

  await nav.getByRole('link', { name: 'Notes', exact: true }).click()
  await page.getByRole('textbox', { name: 'New note title' }).fill('Meeting notes')
  await page.getByRole('button', { name: 'Create note' }).click()
  const editor = page.getByRole('form', { name: 'Note Meeting notes' })
  await editor.getByRole('textbox', { name: 'Text' }).fill('Decisions: ship on Friday.')
  await editor.getByRole('combobox', { name: 'Shared with' }).selectOption({ label: 'Inbox' })
  await editor.getByRole('button', { name: 'Save note' }).click()
  await expect(page.getByRole('button', { name: /Meeting notes.*shared with Inbox/ })).toBeVisible()
  await page.reload()
  await page.getByRole('button', { name: /Meeting notes/ }).click()
  await expect(page.getByRole('textbox', { name: 'Text' })).toHaveValue('Decisions: ship on Friday.')

  // a second person, then added to this person's team by email
  const colleague = newPerson('Grace Hopper')
  const registered = await request.post('/api/v1/auth/register', { data: colleague })
  expect(registered.status()).toBe(201)
  await nav.getByRole('link', { name: 'Members', exact: true }).click()
  await page.getByRole('textbox', { name: 'Email of the person to add' }).fill(colleague.email)
  await page.getByRole('button', { name: 'Add member' }).click()
  await expect(page.getByRole('rowheader', { name: 'Grace Hopper' })).toBeVisible()
  await page.getByRole('combobox', { name: 'Role of Grace Hopper' }).selectOption('viewer')
  await page.reload()
  await expect(page.getByRole('combobox', { name: 'Role of Grace Hopper' })).toHaveValue('viewer')

  // an address without an account gets an invitation
  const stranger = newPerson('Someone New')
  await page.getByRole('textbox', { name: 'Email of the person to add' }).fill(stranger.email)
  await page.getByRole('button', { name: 'Add member' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'An invitation is on its way' })).toBeVisible()
  await expect(page.getByRole('button', { name: `Revoke the invitation of ${stranger.email}` })).toBeVisible()

  await nav.getByRole('link', { name: 'Access tokens', exact: true }).click()
  await page.getByRole('textbox', { name: 'Token name' }).fill('backup script')
  await page.getByRole('button', { name: 'Create token' }).click()
  const secret = await page.locator('.secret').textContent()
  expect(secret).toMatch(/^tl_pat_/)
  const me = await request.get('/api/v1/users/me', { headers: { authorization: `Bearer ${secret}` } })
  expect((await me.json()).email).toBe(person.email)
  await page.getByRole('button', { name: 'Revoke backup script' }).click()
  await expect(page.getByRole('rowheader', { name: 'backup script' })).toBeHidden()

  await nav.getByRole('link', { name: 'Webhooks', exact: true }).click()
  await page.getByRole('textbox', { name: 'Payload URL' }).fill('http://127.0.0.1:9/hook')
  await page.getByRole('button', { name: 'Add webhook' }).click()
  // loopback targets are refused unless WEBHOOK_ALLOW_PRIVATE: the API's message shows next to the field
  await expect(page.getByRole('textbox', { name: 'Payload URL' })).toHaveAttribute('aria-invalid', 'true')

  await nav.getByRole('link', { name: 'Account', exact: true }).click()
  await page.getByRole('textbox', { name: 'Name' }).fill('Ada King')
  await page.getByRole('button', { name: 'Save profile' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible()
  await expect(page.getByRole('banner').getByText('Ada King')).toBeVisible()

  // a team of their own making, opened at once on its projects (it has none yet), and the way back
  const shownTeam = page.getByRole('combobox', { name: 'Team' }).locator('option:checked')
  await nav.getByRole('link', { name: 'Teams', exact: true }).click()
  await page.getByRole('textbox', { name: 'New team name' }).fill('Launch crew')
  await page.getByRole('button', { name: 'Create team' }).click()
  await expect(page.getByRole('heading', { name: 'Projects of Launch crew' })).toBeVisible()
  await expect(shownTeam).toHaveText('Launch crew')
  await page.getByRole('textbox', { name: 'New project name' }).fill('Launch')
  await page.getByRole('button', { name: 'Create project' }).click()
  await expect(page.getByRole('button', { name: 'New task' })).toBeEnabled()
  await nav.getByRole('link', { name: 'Teams', exact: true }).click()
  await expect(page.getByRole('row', { name: /Launch crew.*owner/ })).toBeVisible()
  await page.getByRole('button', { name: `Open ${person.name}'s team` }).click()
  await expect(page).toHaveURL(/\/tasks$/)
  await expect(shownTeam).toHaveText(`${person.name}'s team`)
  // a link naming a team (as the emails' links do) opens that team
  const launchCrew = await page.getByRole('option', { name: 'Launch crew' }).getAttribute('value')
  await page.goto(`/import-export?team=${launchCrew}`)
  await expect(shownTeam).toHaveText('Launch crew')
})
