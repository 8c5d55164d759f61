import { column, createTask, expect, openTask, signIn, signUp, test } from './fixtures.ts'

test('move cards on the board by drag and by keyboard; another browser sees it live', async ({ page, browser }) => {
  const person = await signUp(page)
  await createTask(page, 'Draft the agenda')
  await createTask(page, 'Send the invites')
  await page.getByRole('navigation').getByRole('link', { name: 'Board', exact: true }).click()
  await expect(column(page, 'To do').getByRole('link', { name: 'Draft the agenda' })).toBeVisible()

  const other = await browser.newContext()
  const watcher = await other.newPage()
  await signIn(watcher, person)
  await watcher.getByRole('navigation').getByRole('link', { name: 'Board', exact: true }).click()
  await expect(column(watcher, 'To do').getByRole('link', { name: 'Draft the agenda' })).toBeVisible()

  // drag by the handle with the mouse, in steps so the drag sensor sees the motion
  const handle = page.getByRole('button', { name: 'Drag Draft the agenda' })
  const target = column(page, 'In progress')
  const from = (await handle.boundingBox())!
  const to = (await target.boundingBox())!
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2)
  await page.mouse.down()
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 })
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2 + 5, { steps: 3 })
  await page.mouse.up()
  await expect(column(page, 'In progress').getByRole('link', { name: 'Draft the agenda' })).toBeVisible()
  await expect(column(watcher, 'In progress').getByRole('link', { name: 'Draft the agenda' })).toBeVisible()

  // by keyboard: focus the card's move button and press Enter
  await page.getByRole('button', { name: 'Move Send the invites to In progress' }).focus()
  await page.keyboard.press('Enter')
  await expect(column(page, 'In progress').getByRole('link', { name: 'Send the invites' })).toBeVisible()
  await page.getByRole('button', { name: 'Move Send the invites up' }).focus()
  await page.keyboard.press('Enter')
  await expect(column(page, 'In progress').getByRole('link').first()).toHaveText('Send the invites')
  await expect(column(watcher, 'In progress').getByRole('link').first()).toHaveText('Send the invites')

  // by keyboard with the drag handle: Space picks up, arrows move, Space drops
  // dnd-kit's keyboard sensor starts the drag on Space but listens for the arrows only from its next
  // timer tick: an arrow pressed before that is lost (it was, on a loaded CI machine). A person waits
  // until the card is picked up; so does the test: the handle is pressed, then one page timer later
  // (queued after the sensor's) the arrows are heard.
  const dragHandle = page.getByRole('button', { name: 'Drag Send the invites' })
  await dragHandle.focus()
  await page.keyboard.press('Space')
  await expect(dragHandle).toHaveAttribute('aria-pressed', 'true')
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)))
  await page.keyboard.press('ArrowRight')
  await expect(page.getByText('Send the invites is over Done.')).toBeAttached()
  await page.keyboard.press('Space')
  await expect(column(page, 'Done').getByRole('link', { name: 'Send the invites' })).toBeVisible()
  await expect(column(watcher, 'Done').getByRole('link', { name: 'Send the invites' })).toBeVisible()

  // the moves stuck: a reload shows the same board
  await page.reload()
  await expect(column(page, 'Done').getByRole('link', { name: 'Send the invites' })).toBeVisible()
  await expect(column(page, 'In progress').getByRole('link', { name: 'Draft the agenda' })).toBeVisible()

  // a task created in the other browser appears in this one's list without a reload
  await page.getByRole('navigation').getByRole('link', { name: 'Tasks', exact: true }).click()
  await createTask(watcher, 'Order the catering')
  await expect(page.getByRole('link', { name: 'Order the catering' })).toBeVisible()
  await page.screenshot({ path: 'test-results/list.png' })
  await other.close()
  await openTask(page, 'Order the catering')
})

test('the dashboard shows the completion rate and follows changes made elsewhere', async ({ page, browser }) => {
  const person = await signUp(page)
  await createTask(page, 'Write the minutes')
  await page.getByRole('navigation').getByRole('link', { name: 'Dashboard', exact: true }).click()
  await expect(page.getByText('Completion rate')).toBeVisible()
  const rateValue = page.locator('.figure', { hasText: 'Completion rate' }).getByRole('definition')
  await expect(rateValue).toHaveText('0%')

  const other = await browser.newContext()
  const elsewhere = await other.newPage()
  await signIn(elsewhere, person)
  await openTask(elsewhere, 'Write the minutes')
  await elsewhere.getByRole('form', { name: 'Task' }).getByRole('combobox', { name: 'Status' }).selectOption('done')
  await elsewhere.getByRole('form', { name: 'Task' }).getByRole('button', { name: 'Save changes' }).click()
  await expect(
    elsewhere.getByRole('form', { name: 'Task' }).getByRole('button', { name: 'Save changes' }),
  ).toBeDisabled()
  await other.close()

  await expect(rateValue).toHaveText('100%')
  await expect(page.getByRole('table').getByRole('rowheader', { name: person.name })).toBeVisible()
})
