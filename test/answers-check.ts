import { afterAll } from 'vitest'
import { takeUndocumentedAnswers } from './answers.ts'

// a setup file: its afterAll runs after each test file's own (see answers.ts)
afterAll(() => {
  const seen = takeUndocumentedAnswers()
  if (seen.length) {
    throw new Error(`routes answered statuses their OpenAPI responses do not list:\n  ${seen.join('\n  ')}`)
  }
})
