import { pdfWith } from '../test/pdf.ts'
import { createTask, expect, openTask, signIn, signUp, test } from './fixtures.ts'

test('edit a task, comment on it, attach and download a file, see its PDF text and history', async ({ page }) => {
  await signUp(page)
  await createTask(page, 'Prepare the quarterly report')
  await openTask(page, 'Prepare the quarterly report')

  const form = page.getByRole('form', { name: 'Task' })
  await form.getByRole('textbox', { name: 'Title' }).fill('Prepare the Q3 report')
  await form.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'In progress' })
  await form.getByRole('combobox', { name: 'Priority' }).selectOption({ label: 'High' })
  await form.getByRole('combobox', { name: 'Repeats' }).fill('FREQ=WEEKLY')
  await form.getByRole('button', { name: 'Save changes' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Prepare the Q3 report' })).toBeVisible()
  await expect(form.getByRole('button', { name: 'Save changes' })).toBeDisabled()
  await expect(page.getByText('title: Prepare the quarterly report → Prepare the Q3 report')).toBeVisible()

  // the API's message lands next to the field it names
  await form.getByRole('combobox', { name: 'Repeats' }).fill('EVERY SECOND TUESDAY')
  await form.getByRole('button', { name: 'Save changes' }).click()
  await expect(form.getByRole('combobox', { name: 'Repeats' })).toHaveAttribute('aria-invalid', 'true')
  await form.getByRole('button', { name: 'Discard changes' }).click()

  await page.getByRole('textbox', { name: 'Comment' }).fill('Numbers from finance arrive on Monday.')
  await page.getByRole('button', { name: 'Add comment' }).click()
  await expect(page.getByText('Numbers from finance arrive on Monday.', { exact: true })).toBeVisible()
  await expect(page.getByRole('textbox', { name: 'Comment' })).toHaveValue('')

  await page.getByLabel('Attach files').setInputFiles([
    { name: 'figures.txt', mimeType: 'text/plain', buffer: Buffer.from('revenue,42\n') },
    { name: 'brief.pdf', mimeType: 'application/pdf', buffer: pdfWith('Quarterly brief') },
  ])
  await expect(page.getByRole('button', { name: 'Download figures.txt' })).toBeVisible()
  await expect(page.getByText('text extracted (searchable)')).toBeVisible({ timeout: 60_000 })
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download figures.txt' }).click(),
  ])
  expect(download.suggestedFilename()).toBe('figures.txt')
  const stream = await download.createReadStream()
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  expect(Buffer.concat(chunks).toString()).toBe('revenue,42\n')

  // the PDF's text is searchable from the list
  await page.getByRole('navigation').getByRole('link', { name: 'Tasks', exact: true }).click()
  await page.getByRole('searchbox', { name: 'Search' }).fill('quarterly brief')
  await expect(page.getByRole('link', { name: 'Prepare the Q3 report' })).toBeVisible()
})

test('a save that lost a race says so and offers the current version', async ({ page, browser }) => {
  const person = await signUp(page)
  await createTask(page, 'Book the venue')
  await openTask(page, 'Book the venue')
  const form = page.getByRole('form', { name: 'Task' })
  await form.getByRole('textbox', { name: 'Description' }).fill('Ask for the terrace.')

  const other = await browser.newContext()
  const elsewhere = await other.newPage()
  await signIn(elsewhere, person)
  await openTask(elsewhere, 'Book the venue')
  await elsewhere.getByRole('form', { name: 'Task' }).getByRole('textbox', { name: 'Title' }).fill('Book the big venue')
  await elsewhere.getByRole('form', { name: 'Task' }).getByRole('button', { name: 'Save changes' }).click()
  await expect(elsewhere.getByRole('heading', { level: 1, name: 'Book the big venue' })).toBeVisible()
  await other.close()

  await form.getByRole('button', { name: 'Save changes' }).click()
  const notice = page.getByRole('alert').filter({ hasText: 'This task changed elsewhere' })
  await expect(notice).toBeVisible()
  await expect(notice.getByRole('cell', { name: 'Book the big venue' })).toBeVisible()
  await notice.getByRole('button', { name: 'Save mine over it' }).click()
  await expect(notice).toBeHidden()
  await expect(form.getByRole('textbox', { name: 'Description' })).toHaveValue('Ask for the terrace.')
  await expect(page.getByRole('heading', { level: 1, name: 'Book the big venue' })).toBeVisible()
})

test('the list filters, sorts and loads more', async ({ page }) => {
  await signUp(page)
  await createTask(page, 'Alpha task')
  await createTask(page, 'Beta task')
  await openTask(page, 'Beta task')
  await page.getByRole('form', { name: 'Task' }).getByRole('combobox', { name: 'Status' }).selectOption('done')
  await page.getByRole('form', { name: 'Task' }).getByRole('button', { name: 'Save changes' }).click()
  await expect(page.getByRole('form', { name: 'Task' }).getByRole('button', { name: 'Save changes' })).toBeDisabled()

  await page.getByRole('navigation').getByRole('link', { name: 'Tasks', exact: true }).click()
  await page.getByRole('group', { name: 'Status' }).getByRole('checkbox', { name: 'Done' }).check()
  await expect(page.getByRole('link', { name: 'Beta task' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Alpha task' })).toBeHidden()
  await page.reload()
  await expect(page.getByRole('group', { name: 'Status' }).getByRole('checkbox', { name: 'Done' })).toBeChecked()
  await expect(page.getByRole('link', { name: 'Alpha task' })).toBeHidden()
  await page.getByRole('button', { name: 'Clear filters' }).click()
  await page.getByRole('combobox', { name: 'Sort' }).selectOption({ label: 'Oldest first' })
  await expect(page.getByRole('list', { name: 'Tasks' }).getByRole('link').first()).toHaveText('Alpha task')
})

test('a filter checkbox shows its new state at once, even on a slow machine', async ({ page }) => {
  await signUp(page)
  await createTask(page, 'Alpha task')
  await page.getByRole('navigation').getByRole('link', { name: 'Tasks', exact: true }).click()
  // the router applies the address in a transition: without the optimistic state the box springs
  // back until it lands, and check() sees no change (what made the test above flaky under load)
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 20 })
  const done = page.getByRole('group', { name: 'Status' }).getByRole('checkbox', { name: 'Done' })
  await done.check()
  await done.uncheck()
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 })
  await expect(page.getByRole('link', { name: 'Alpha task' })).toBeVisible()
})
