import { createTask, expect, openTask, seriousViolations, signUp, test } from './fixtures.ts'

for (const viewport of [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
]) {
  test(`no serious or critical axe violations on the main pages (${viewport.name})`, async ({ page }) => {
    // six pages, each scanned by axe: longer than one page's test on a loaded machine
    test.setTimeout(180_000)
    await page.setViewportSize(viewport)
    await page.goto('/')
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible()
    expect(await seriousViolations(page), 'sign-in').toEqual([])

    await signUp(page)
    await createTask(page, 'Check the contrast')
    await expect(page.getByRole('link', { name: 'Check the contrast' })).toBeVisible()
    expect(await seriousViolations(page), 'task list').toEqual([])

    await openTask(page, 'Check the contrast')
    await page.getByRole('textbox', { name: 'Comment' }).fill('Looks fine.')
    await page.getByRole('button', { name: 'Add comment' }).click()
    await expect(page.getByText('Looks fine.', { exact: true })).toBeVisible()
    expect(await seriousViolations(page), 'task detail').toEqual([])

    await page.getByRole('navigation').getByRole('link', { name: 'Board', exact: true }).click()
    await expect(
      page.getByRole('region', { name: 'To do' }).getByRole('link', { name: 'Check the contrast' }),
    ).toBeVisible()
    expect(await seriousViolations(page), 'board').toEqual([])

    await page.getByRole('navigation').getByRole('link', { name: 'Dashboard', exact: true }).click()
    await expect(page.getByText('Completion rate')).toBeVisible()
    await expect(page.getByRole('img')).toBeVisible()
    expect(await seriousViolations(page), 'dashboard').toEqual([])

    // reached from the dashboard on any screen (on a phone the team's pages are not in the top bar)
    await page.getByRole('link', { name: 'Make a PDF report' }).click()
    await expect(page.getByRole('heading', { level: 1, name: /^Import, export and reports/ })).toBeVisible()
    await expect(page.getByText('No exports, imports or reports yet.')).toBeVisible()
    expect(await seriousViolations(page), 'import, export and reports').toEqual([])
  })
}
