import type { Rng } from '../lib/rng.ts'
import { WORDS } from './words.ts'
import type { Team, World } from './world.ts'
import type { Cell, Columns } from './write.ts'

const DAY = 86_400_000
const HOUR = 3_600_000

export const TASK_COLUMNS: Columns = [
  ['id', 'uuid'],
  ['team_id', 'uuid'],
  ['project_id', 'uuid'],
  ['parent_id', 'uuid'],
  ['title', 'text'],
  ['description', 'text'],
  ['status', 'text'],
  ['priority_rank', 'int4'],
  ['due_at', 'timestamptz'],
  ['remind_at', 'timestamptz'],
  ['assignee_id', 'uuid'],
  ['position', 'float8'],
  ['recurrence', 'text'],
  ['completed_at', 'timestamptz'],
  ['completed_by', 'uuid'],
  ['created_by', 'uuid'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['version', 'int4'],
]
export const TASK_TAG_COLUMNS: Columns = [
  ['task_id', 'uuid'],
  ['tag_id', 'uuid'],
]
export const COMMENT_COLUMNS: Columns = [
  ['id', 'uuid'],
  ['task_id', 'uuid'],
  ['team_id', 'uuid'],
  ['author_id', 'uuid'],
  ['body', 'text'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
]
export const ACTIVITY_COLUMNS: Columns = [
  ['actor_id', 'uuid'],
  ['action', 'text'],
  ['entity_type', 'text'],
  ['entity_id', 'uuid'],
  ['team_id', 'uuid'],
  ['project_id', 'uuid'],
  ['task_id', 'uuid'],
  ['changes', 'jsonb'],
  ['created_at', 'timestamptz'],
]

export interface TaskChunk {
  tasks: Cell[][]
  taskTags: Cell[][]
  comments: Cell[][]
  activity: Cell[][]
}

// Zipf-like: word i is drawn with weight 1/(i+1), so some words are everywhere and most are rare
const zipf = (r: Rng) =>
  WORDS[Math.min(WORDS.length - 1, Math.floor(Math.exp(r.next() * Math.log(WORDS.length + 1)) - 1))]!
const words = (r: Rng, min: number, max: number) => Array.from({ length: r.int(min, max) }, () => zipf(r)).join(' ')

/**
 * Tasks in creation order over the last ~year, in chunks: each task's tags, comments and its
 * `task.created` activity entry come in the same chunk, after the task itself.
 */
export function* generateTasks(
  r: Rng,
  world: World,
  total: number,
  now: number,
  chunkSize: number,
): Generator<TaskChunk> {
  const { teams } = world
  const cumulative: number[] = []
  let sum = 0
  for (const t of teams) {
    sum += t.weight
    cumulative.push(sum)
  }
  const pickTeam = (): Team => {
    const x = r.next() * sum
    let lo = 0
    let hi = cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cumulative[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return teams[lo]!
  }
  const positions = new Map<string, number>()
  const recentTop = new Map<string, string[]>()
  const start = now - 360 * DAY
  const iso = (ms: number) => new Date(ms).toISOString()

  let chunk: TaskChunk = { tasks: [], taskTags: [], comments: [], activity: [] }
  for (let i = 0; i < total; i++) {
    const created = Math.floor(start + (i / total) * 359 * DAY + r.int(0, HOUR))
    const team = pickTeam()
    const projectId = r.chance(0.97) && team.openProjects.length ? r.pick(team.openProjects) : r.pick(team.projects)
    const id = r.uuidv7(created)
    const creator = r.pick(team.members)
    const old = now - created > 60 * DAY
    const status = (['todo', 'in_progress', 'done', 'cancelled'] as const)[
      r.weighted(old ? [15, 10, 65, 10] : [45, 25, 22, 8])
    ]!
    const priority = r.weighted([25, 45, 20, 10]) + 1
    const due = r.chance(0.65) ? created + r.int(-5 * DAY, 45 * DAY) : null
    const remind = due !== null && r.chance(0.1) ? due - DAY : null
    const assignee = r.chance(0.75) ? r.pick(team.members) : null
    const position = (positions.get(projectId) ?? 0) + 1024
    positions.set(projectId, position)
    const recent = recentTop.get(projectId) ?? []
    const parent = recent.length && r.chance(0.1) ? r.pick(recent) : null
    if (!parent) {
      recent.push(id)
      if (recent.length > 32) recent.shift()
      recentTop.set(projectId, recent)
    }
    const completed = status === 'done' ? Math.min(now - HOUR, created + r.int(HOUR, 20 * DAY)) : null
    const updated = Math.max(created, completed ?? 0)
    chunk.tasks.push([
      id,
      team.id,
      projectId,
      parent,
      words(r, 3, 8),
      r.chance(0.5) ? words(r, 10, 40) : null,
      status,
      priority,
      due === null ? null : iso(due),
      remind === null ? null : iso(remind),
      assignee,
      position,
      r.chance(0.02) ? 'FREQ=WEEKLY' : null,
      completed === null ? null : iso(completed),
      completed === null ? null : (assignee ?? creator),
      creator,
      iso(created),
      iso(updated),
      status === 'done' ? 3 : status === 'todo' ? 1 : 2,
    ])
    if (team.tags.length) {
      for (const tag of r.sample(team.tags, r.weighted([40, 35, 17, 8]))) chunk.taskTags.push([id, tag])
    }
    if (r.chance(0.3)) {
      const n = r.int(1, 4)
      for (let c = 0; c < n; c++) {
        const at = created + r.int(1, Math.max(2, Math.floor((now - created) / 2)))
        chunk.comments.push([r.uuidv7(at), id, team.id, r.pick(team.members), words(r, 4, 30), iso(at), iso(at)])
      }
    }
    chunk.activity.push([creator, 'task.created', 'task', id, team.id, projectId, id, '{}', iso(created)])
    if (chunk.tasks.length >= chunkSize) {
      yield chunk
      chunk = { tasks: [], taskTags: [], comments: [], activity: [] }
    }
  }
  if (chunk.tasks.length) yield chunk
}
