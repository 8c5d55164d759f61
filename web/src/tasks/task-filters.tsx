import { startTransition, useOptimistic, useRef, useState } from 'react'
import { useSearchParams } from 'react-router'
import { PRIORITIES, STATUSES } from '../api/types.ts'
import { useMembers, useTags } from '../shell/team-data.ts'
import { useWorkspace } from '../shell/workspace.tsx'
import { SORTS } from './task-query.ts'

const ADVANCED = ['assignee', 'tag', 'dueAfter', 'dueBefore', 'overdue', 'project', 'subtasks']

/** The list's filters, kept in the address so a reload or a shared link shows the same list. */
export function TaskFilters() {
  const [address, setParams] = useSearchParams()
  // the router applies a new address in a transition: a controlled checkbox would spring back until
  // it lands (long enough to see on a slow machine); the filters show the new address at once
  const [params, showNow] = useOptimistic(address)
  const go = (next: URLSearchParams) =>
    startTransition(() => {
      showNow(next)
      setParams(next, { replace: true })
    })
  const { team, project } = useWorkspace()
  // the rarer filters fold away (and their pickers load) until wanted or in use
  const [more, setMore] = useState(() => ADVANCED.some((name) => params.has(name)))
  const members = useMembers(team.id, more)
  const tags = useTags(team.id, more)
  const typing = useRef<ReturnType<typeof setTimeout>>(undefined)
  const set = (name: string, value: string | string[] | null) => {
    const next = new URLSearchParams(params)
    next.delete(name)
    for (const v of Array.isArray(value) ? value : value ? [value] : []) next.append(name, v)
    go(next)
  }
  const selected = (name: string) => params.getAll(name).flatMap((v) => v.split(','))
  const toggle = (name: string, value: string, on: boolean) =>
    set(name, on ? [...selected(name), value] : selected(name).filter((v) => v !== value))

  return (
    <search aria-label="Filter tasks">
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label className="search">
          <span>Search</span>
          <input
            type="search"
            defaultValue={params.get('q') ?? ''}
            placeholder="Title, description, attached PDFs"
            onChange={(e) => {
              const value = e.target.value
              // one request when typing pauses, not one per key
              clearTimeout(typing.current)
              typing.current = setTimeout(() => set('q', value || null), 250)
            }}
          />
        </label>
        <fieldset>
          <legend>Status</legend>
          {STATUSES.map((s) => (
            <label key={s.value} className="check">
              <input
                type="checkbox"
                checked={selected('status').includes(s.value)}
                onChange={(e) => toggle('status', s.value, e.target.checked)}
              />
              {s.label}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Priority</legend>
          {PRIORITIES.map((p) => (
            <label key={p.value} className="check">
              <input
                type="checkbox"
                checked={selected('priority').includes(p.value)}
                onChange={(e) => toggle('priority', p.value, e.target.checked)}
              />
              {p.label}
            </label>
          ))}
        </fieldset>
        <label>
          <span>Sort</span>
          <select value={params.get('sort') ?? ''} onChange={(e) => set('sort', e.target.value || null)}>
            <option value="">{params.get('q') ? 'Relevance' : 'Newest first'}</option>
            {SORTS.filter((s) => s.value !== '-createdAt').map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <details className="more-filters" open={more} onToggle={(e) => setMore(e.currentTarget.open)}>
          <summary>More filters</summary>
          <div className="filters">
            <label>
              <span>Assignee</span>
              <select value={params.get('assignee') ?? ''} onChange={(e) => set('assignee', e.target.value || null)}>
                <option value="">Anyone</option>
                <option value="me">Me</option>
                <option value="none">Nobody</option>
                {members.data?.map((m) => (
                  <option key={m.userId} value={m.userId}>
                    {m.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span>Tag</span>
              <select value={params.get('tag') ?? ''} onChange={(e) => set('tag', e.target.value || null)}>
                <option value="">Any tag</option>
                {tags.data?.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span>Due from</span>
              <input
                type="date"
                value={params.get('dueAfter') ?? ''}
                onChange={(e) => set('dueAfter', e.target.value || null)}
              />
            </label>
            <label>
              <span>Due until</span>
              <input
                type="date"
                value={params.get('dueBefore') ?? ''}
                onChange={(e) => set('dueBefore', e.target.value || null)}
              />
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={params.get('overdue') === 'true'}
                onChange={(e) => set('overdue', e.target.checked ? 'true' : null)}
              />
              Overdue only
            </label>
            <label>
              <span>Projects</span>
              <select value={params.get('project') ?? ''} onChange={(e) => set('project', e.target.value || null)}>
                <option value="">{project ? project.name : 'This project'}</option>
                <option value="all">All of {team.name}</option>
              </select>
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={params.get('subtasks') === 'true'}
                onChange={(e) => set('subtasks', e.target.checked ? 'true' : null)}
              />
              Include subtasks
            </label>
          </div>
        </details>
        {[...params.keys()].length > 0 && (
          <button type="button" onClick={() => go(new URLSearchParams())}>
            Clear filters
          </button>
        )}
      </form>
    </search>
  )
}
