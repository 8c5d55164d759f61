import { readFileSync } from 'node:fs'
import type { Page } from '@playwright/test'
import { createTask, expect, signUp, test } from './fixtures.ts'

// a job runs in the server's worker and its list follows /events: on a loaded machine that can take a while
const JOB_MS = 90_000

/** The job on the list whose heading is exactly this. */
const job = (page: Page, title: string | RegExp) =>
  page.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 3, name: title, exact: true }) })

test('exports JSON, imports it (dry run, then for real) into another team, and makes a PDF report', async ({
  page,
  request,
}) => {
  test.setTimeout(6 * 60_000)
  await signUp(page)
  await createTask(page, 'Book the venue')
  await createTask(page, 'Send the invitations')
  await expect(page.getByRole('link', { name: 'Send the invitations' })).toBeVisible()
  // the team to import into, made through the API as a script would
  const { accessToken } = await page.evaluate(() => JSON.parse(localStorage.getItem('tasklane.session') ?? '{}'))
  const made = await request.post('/api/v1/teams', {
    headers: { authorization: `Bearer ${accessToken}` },
    data: { name: 'Second team' },
  })
  expect(made.status()).toBe(201)

  await page.getByRole('navigation').getByRole('link', { name: 'Import & export', exact: true }).click()
  await expect(page.getByRole('heading', { level: 1, name: /^Import, export and reports of/ })).toBeVisible()

  // export the team's data as JSON and download it once the job is done (the list follows the job's events)
  const exportForm = page.getByRole('form', { name: 'Export' })
  await exportForm.getByRole('combobox', { name: 'Format' }).selectOption('json')
  await exportForm.getByRole('button', { name: 'Start export' }).click()
  const exported = job(page, 'JSON export')
  const download = exported.getByRole('button', { name: /^Download JSON export/ })
  await expect(download).toBeVisible({ timeout: JOB_MS })
  const [file] = await Promise.all([page.waitForEvent('download'), download.click()])
  const json = readFileSync(await file.path(), 'utf8')
  const data = JSON.parse(json) as { format: string; tasks: { title: string }[] }
  expect(data.format).toBe('tasklane')
  expect(data.tasks.map((t) => t.title).sort()).toEqual(['Book the venue', 'Send the invitations'])

  // into the other team: a dry run first, which writes nothing
  await page.getByRole('combobox', { name: 'Team' }).selectOption({ label: 'Second team' })
  await expect(page.getByRole('heading', { level: 1, name: /of Second team$/ })).toBeVisible()
  const importForm = page.getByRole('form', { name: 'Import' })
  const upload = { name: file.suggestedFilename(), mimeType: 'application/json', buffer: Buffer.from(json) }
  await importForm.getByLabel('File').setInputFiles(upload)
  await expect(importForm.getByRole('combobox', { name: 'Format' })).toHaveValue('tasklane')
  await expect(importForm.getByRole('checkbox', { name: /Dry run/ })).toBeChecked()
  await importForm.getByRole('button', { name: 'Check file' }).click()
  const dryRun = job(page, `Import of ${upload.name} (dry run)`)
  await expect(dryRun.getByText(/^Checked: the file is fine and would create 2 tasks/)).toBeVisible({ timeout: JOB_MS })

  // then for real, the same file still chosen
  await importForm.getByRole('checkbox', { name: /Dry run/ }).uncheck()
  await importForm.getByRole('button', { name: 'Import file' }).click()
  const imported = job(page, `Import of ${upload.name}`)
  await expect(imported.getByText(/^Imported 2 tasks/)).toBeVisible({ timeout: JOB_MS })

  // a file with a bad row: nothing written, the row and the field named next to the job
  await importForm.getByLabel('File').setInputFiles({
    name: 'bad.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('title,status\r\nfine,todo\r\nbroken,finished\r\n'),
  })
  await expect(importForm.getByRole('combobox', { name: 'Format' })).toHaveValue('csv')
  await importForm.getByRole('button', { name: 'Import file' }).click()
  const failed = job(page, 'Import of bad.csv')
  await expect(failed.getByText('1 error in the file: nothing was imported')).toBeVisible({ timeout: JOB_MS })
  await expect(failed.getByRole('row', { name: /3 status/ })).toBeVisible()

  // the imported tasks are the other team's now
  await page.getByRole('navigation').getByRole('link', { name: 'Tasks', exact: true }).click()
  await expect(page.getByRole('link', { name: 'Book the venue' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'fine', exact: true })).toBeHidden()

  // a PDF report of the last 30 days, downloaded, then deleted
  await page.getByRole('navigation').getByRole('link', { name: 'Import & export', exact: true }).click()
  await page.getByRole('form', { name: 'PDF report' }).getByRole('button', { name: 'Start report' }).click()
  const report = job(page, /^PDF report, /)
  const pdf = report.getByRole('button', { name: /^Download PDF report/ })
  await expect(pdf).toBeVisible({ timeout: JOB_MS })
  const [reportFile] = await Promise.all([page.waitForEvent('download'), pdf.click()])
  expect(
    readFileSync(await reportFile.path())
      .subarray(0, 5)
      .toString(),
  ).toBe('%PDF-')
  await report.getByRole('button', { name: /^Delete PDF report/ }).click()
  await expect(report).toHaveCount(0)
  await page.reload()
  await expect(job(page, `Import of ${upload.name}`)).toBeVisible()
  await expect(job(page, /^PDF report, /)).toHaveCount(0)
})
