// The old factory names, for the test files not yet converted to `given` (issue 17); nothing of its own.

export { eventually } from './eventually.ts'
export { givenWebhook } from './given/webhooks.ts'
export { pdfWith } from './pdf.ts'
export * from './worker-app.ts'
