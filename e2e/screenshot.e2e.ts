import { column, expect, signUp, test } from './fixtures.ts'

// the picture at the top of the README: a board with some work on it
test('board screenshot for the README', async ({ page, request }) => {
  await signUp(page, { name: 'Ada Lovelace', email: `shot-${Date.now()}@example.test`, password: 'screenshot-pw-1' })
  const { accessToken } = await page.evaluate(() => JSON.parse(localStorage.getItem('tasklane.session') ?? '{}'))
  const headers = { authorization: `Bearer ${accessToken}` }
  const me = await (await request.get('/api/v1/users/me', { headers })).json()
  const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString()
  const tasks = [
    { title: 'Plan the spring release', status: 'in_progress', priority: 'high', dueAt: day(3), assigneeId: me.id },
    { title: 'Write the migration guide', status: 'in_progress', dueAt: day(6) },
    { title: 'Review the API changelog', status: 'todo', priority: 'urgent', dueAt: day(-1), assigneeId: me.id },
    { title: 'Collect feedback from the beta teams', status: 'todo' },
    { title: 'Update the screenshots', status: 'todo', priority: 'low' },
    { title: 'Set up the staging server', status: 'done', assigneeId: me.id },
    { title: 'Draft the announcement', status: 'done' },
    { title: 'Old logo refresh', status: 'cancelled', priority: 'low' },
  ]
  for (const task of tasks) expect((await request.post('/api/v1/tasks', { headers, data: task })).status()).toBe(201)
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.getByRole('navigation').getByRole('link', { name: 'Board', exact: true }).click()
  await expect(column(page, 'Cancelled').getByRole('link', { name: 'Old logo refresh' })).toBeVisible()
  await expect(page.getByText('Live', { exact: true })).toBeVisible()
  await page.screenshot({ path: 'docs/board.png' })
})
