// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { ApiError } from '../api/problem.ts'
import { TextField } from './field.tsx'

describe('TextField', () => {
  afterEach(cleanup)

  it("ties the API's message to its field: invalid, and described by the message", () => {
    render(<TextField label="Title" error="Too long: at most 500 characters" />)
    const input = screen.getByRole('textbox', { name: 'Title' })
    expect(input.getAttribute('aria-invalid')).toBe('true')
    const described = document.getElementById(input.getAttribute('aria-describedby') ?? '')
    expect(described?.textContent).toBe('Too long: at most 500 characters')
  })

  it('is plain without an error', () => {
    render(<TextField label="Title" />)
    expect(screen.getByRole('textbox', { name: 'Title' }).hasAttribute('aria-invalid')).toBe(false)
  })
})

describe('ApiError.fieldErrors', () => {
  it('keys the messages by the field they concern, first message per field', () => {
    const err = new ApiError(400, {
      type: 'urn:tasklane:problem:validation',
      title: 'Bad Request',
      status: 400,
      instance: '/api/v1/tasks',
      requestId: 'r',
      errors: [
        { path: 'body.title', message: 'Required' },
        { path: 'body.title', message: 'Second' },
        { path: 'query.limit', message: 'Too big' },
        { path: 'body.tagIds.0', message: 'Unknown tag' },
      ],
    })
    expect(err.fieldErrors).toEqual({ title: 'Required', limit: 'Too big', tagIds: 'Unknown tag' })
  })
})
