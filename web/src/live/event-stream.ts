import { api } from '../api/client.ts'
import { unwrap } from '../api/problem.ts'
import type { LiveEvent } from './event-effects.ts'

export type LiveState = 'connecting' | 'live' | 'reconnecting'

// EventSource hands a named event (`event: task.updated`) only to a listener of that name
const EVENT_TYPES = [
  'task.created',
  'task.updated',
  'task.status_changed',
  'task.moved',
  'task.deleted',
  'comment.created',
  'comment.updated',
  'comment.deleted',
  'attachment.created',
  'attachment.updated',
  'attachment.deleted',
  'project.created',
  'project.updated',
  'project.archived',
  'project.deleted',
  'team.created',
  'team.updated',
  'team.deleted',
  'member.added',
  'member.removed',
  'member.role_changed',
  'tag.created',
  'tag.updated',
  'tag.deleted',
  'note.created',
  'note.updated',
  'note.deleted',
  'note.file_set',
  'note.file_removed',
  'job.created',
  'job.updated',
  'import.completed',
]

const BATCH_MS = 100
const MAX_BACKOFF_MS = 30_000

/**
 * Follows /api/v1/events: a fresh single-use ticket for every connection, and after a drop a new
 * connection that resumes from the last event seen (`lastEventId`), so nothing in between is lost.
 * Events arrive in batches (a burst of 500 moves is one cache update, not 500).
 */
export function followEvents(handlers: {
  onEvents(events: LiveEvent[]): void
  onState(state: LiveState): void
}): () => void {
  let source: EventSource | null = null
  let lastEventId: string | null = null
  let stopped = false
  let attempt = 0
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let batch: LiveEvent[] = []
  let flushTimer: ReturnType<typeof setTimeout> | undefined

  const flush = () => {
    flushTimer = undefined
    const events = batch
    batch = []
    if (events.length) handlers.onEvents(events)
  }
  const receive = (message: MessageEvent<string>) => {
    if (message.lastEventId) lastEventId = message.lastEventId
    try {
      batch.push(JSON.parse(message.data) as LiveEvent)
    } catch {
      return
    }
    flushTimer ??= setTimeout(flush, BATCH_MS)
  }
  const retry = () => {
    source?.close()
    source = null
    if (stopped) return
    handlers.onState('reconnecting')
    // exponential with jitter, so a restarted server is not met by every tab at the same instant
    const wait = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2)
    attempt++
    clearTimeout(retryTimer)
    retryTimer = setTimeout(connect, wait)
  }
  const connect = async () => {
    if (stopped) return
    try {
      const { ticket } = unwrap(await api.POST('/api/v1/events/ticket'))
      if (stopped) return
      const query = new URLSearchParams({ ticket })
      if (lastEventId) query.set('lastEventId', lastEventId)
      const es = new EventSource(`/api/v1/events?${query}`)
      source = es
      es.onopen = () => {
        attempt = 0
        handlers.onState('live')
      }
      es.onmessage = receive
      for (const type of EVENT_TYPES) es.addEventListener(type, receive)
      // the browser would reconnect by itself, but with the ticket it already spent
      es.onerror = retry
    } catch {
      retry()
    }
  }
  const online = () => {
    if (!source) {
      attempt = 0
      clearTimeout(retryTimer)
      void connect()
    }
  }
  handlers.onState('connecting')
  void connect()
  window.addEventListener('online', online)
  return () => {
    stopped = true
    clearTimeout(retryTimer)
    clearTimeout(flushTimer)
    window.removeEventListener('online', online)
    source?.close()
  }
}
