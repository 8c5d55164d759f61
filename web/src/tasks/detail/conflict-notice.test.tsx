// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Task } from '../../api/types.ts'
import { ConflictNotice } from './conflict-notice.tsx'
import { draftOf } from './draft.ts'

const base = {
  id: 't',
  title: 'Book the venue',
  description: null,
  status: 'todo',
  priority: 'medium',
  dueAt: null,
  remindAt: null,
  assigneeId: null,
  assignee: null,
  tags: [],
  recurrence: null,
  updatedAt: '2026-03-01T10:00:00.000Z',
  version: 2,
} as unknown as Task

describe('ConflictNotice', () => {
  afterEach(cleanup)

  it('shows the fields where the current version and yours differ, and offers both ways on', () => {
    const current = { ...base, title: 'Book the big venue', status: 'in_progress' } as Task
    const mine = { ...draftOf(base), description: 'Ask for the terrace.' }
    const onDiscard = vi.fn()
    const onOverwrite = vi.fn()
    render(<ConflictNotice mine={mine} current={current} onDiscard={onDiscard} onOverwrite={onOverwrite} />)

    expect(screen.getByRole('alert')).toHaveProperty(
      'textContent',
      expect.stringContaining('This task changed elsewhere'),
    )
    const rows = screen
      .getAllByRole('row')
      .slice(1)
      .map((r) => r.textContent)
    expect(rows).toEqual([
      'TitleBook the big venueBook the venue',
      'Description—Ask for the terrace.',
      'StatusIn progressTo do',
    ])
    fireEvent.click(screen.getByRole('button', { name: 'Use the current version' }))
    fireEvent.click(screen.getByRole('button', { name: 'Save mine over it' }))
    expect(onDiscard).toHaveBeenCalledOnce()
    expect(onOverwrite).toHaveBeenCalledOnce()
  })
})
