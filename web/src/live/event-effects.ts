/** One message of /api/v1/events (its `data`). */
export interface LiveEvent {
  type: string
  entityId: string
  teamId: string | null
  projectId: string | null
  taskId: string | null
  /** field → { from, to }; a job's progress arrives here */
  changes?: Record<string, { from: unknown; to: unknown }> | null
  at: string
}

/** What the cache must do for a batch of events: small and targeted, never "refetch everything". */
export interface Effects {
  /** tasks to fetch again and patch into every cached list and board that holds them */
  refreshTasks: Set<string>
  /** tasks gone: dropped from lists and boards, their detail removed */
  removeTasks: Set<string>
  /** lists and boards of these projects (and team-wide lists of their teams) may gain a task */
  projectLists: Map<string, string | null>
  /** exports, imports and reports whose status changed: fetched again (one request each) */
  refreshJobs: Set<string>
  /** running jobs' progress, patched in from the event itself */
  jobProgress: Map<string, { done: number; total: number }>
  /** query keys to invalidate (refetched only while on screen) */
  keys: unknown[][]
}

/**
 * The cache work a batch of events asks for. A changed task is fetched once and patched where it is
 * shown; a list is refetched only when a task may have entered it (created, moved in); a task's
 * comments, files and history only when that task changed them; the dashboard of the team; a job
 * once when its status changes (its progress comes with the event).
 */
export function effectsOf(events: LiveEvent[]): Effects {
  const effects: Effects = {
    refreshTasks: new Set(),
    removeTasks: new Set(),
    projectLists: new Map(),
    refreshJobs: new Set(),
    jobProgress: new Map(),
    keys: [],
  }
  const keys = new Map<string, unknown[]>()
  const key = (...k: unknown[]) => keys.set(JSON.stringify(k), k)
  for (const event of events) {
    const [entity, verb] = event.type.split('.')
    if (event.teamId) key('dashboard', event.teamId)
    if (event.taskId) key('activity', { taskId: event.taskId })
    switch (entity) {
      case 'task':
        if (verb === 'deleted') {
          effects.removeTasks.add(event.entityId)
          effects.refreshTasks.delete(event.entityId)
        } else if (!effects.removeTasks.has(event.entityId)) {
          effects.refreshTasks.add(event.entityId)
        }
        if ((verb === 'created' || verb === 'moved') && event.projectId)
          effects.projectLists.set(event.projectId, event.teamId)
        break
      case 'comment':
        if (event.taskId) key('comments', event.taskId)
        break
      case 'attachment':
        if (event.taskId) key('attachments', event.taskId)
        break
      case 'project':
        if (event.teamId) key('projects', event.teamId)
        break
      case 'team':
        key('teams')
        break
      case 'member':
        key('teams')
        if (event.teamId) key('members', event.teamId)
        break
      case 'tag':
        if (event.teamId) key('tags', event.teamId)
        break
      case 'note':
        key('notes')
        break
      case 'job': {
        // progress needs no request; anything else (created, started, finished) is fetched once
        const progress = event.changes?.progress?.to as { done: number; total: number } | undefined
        if (progress && !event.changes?.status) {
          if (!effects.refreshJobs.has(event.entityId)) effects.jobProgress.set(event.entityId, progress)
        } else {
          effects.refreshJobs.add(event.entityId)
          effects.jobProgress.delete(event.entityId)
        }
        break
      }
      case 'import':
        // one entry for a whole import: whatever lists the team's tasks, projects and tags looks again
        key('tasks')
        key('board')
        if (event.teamId) key('projects', event.teamId)
        if (event.teamId) key('tags', event.teamId)
        break
    }
  }
  effects.keys = [...keys.values()]
  return effects
}
