// The old factory names, for the test files not yet converted to `given` (issue 17); nothing of its own.

export { eventually } from './eventually.ts'
export * from './files-app.ts'
export { givenTask } from './given/tasks.ts'
export { pdfWith } from './pdf.ts'
