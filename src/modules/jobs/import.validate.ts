import { z } from 'zod'
import { Text, Timestamp } from '../../http/schemas.ts'
import { CreateComment } from '../comments/index.ts'
import { CreateProject } from '../projects/index.ts'
import { CreateTag } from '../tags/index.ts'
import { CreateTask, MAX_TAGS_PER_TASK } from '../tasks/index.ts'
import type { RawImport, RawRecord } from './import.parse.ts'

/** At most this many errors are listed (API.md); the count says how many there were. */
const MAX_LISTED_ERRORS = 100
/** The project of CSV rows without one. */
const DEFAULT_PROJECT = 'Imported'
const DEFAULT_COLOR = '#808080'

// the API's own field schemas (what POST /tasks, /projects, /tags and /comments accept), plus the
// references between the records of a file (by their ids in the file) and the people (by email)
const Ref = Text.trim().min(1).max(100)
const Email = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase())
const When = Timestamp.nullish()

const ImportTask = z.object({
  id: Ref.optional(),
  projectId: Ref.nullish(),
  project: CreateProject.shape.name.optional(),
  parentId: Ref.nullish(),
  title: CreateTask.shape.title,
  description: CreateTask.shape.description,
  status: CreateTask.shape.status.nullish(),
  priority: CreateTask.shape.priority.nullish(),
  dueAt: CreateTask.shape.dueAt,
  remindAt: CreateTask.shape.remindAt,
  recurrence: CreateTask.shape.recurrence,
  assigneeEmail: Email.nullish(),
  tags: z.array(CreateTag.shape.name).max(MAX_TAGS_PER_TASK).nullish(),
  position: z.number().min(-1e15).max(1e15).nullish(),
  completedAt: When,
  createdAt: When,
  updatedAt: When,
})
const ImportProject = z.object({
  id: Ref,
  name: CreateProject.shape.name,
  description: CreateProject.shape.description,
  archived: z.boolean().nullish(),
})
const ImportTag = z.object({ name: CreateTag.shape.name, color: CreateTag.shape.color.nullish() })
const ImportComment = z.object({
  taskId: Ref,
  body: CreateComment.shape.body,
  authorEmail: Email.nullish(),
  createdAt: When,
  updatedAt: When,
})

type ImportTask = z.output<typeof ImportTask> & { row: number; key: string; projectName: string }
type ImportComment = z.output<typeof ImportComment> & { row: number }

export interface ImportError {
  row: number
  path: string
  message: string
}

/** A file checked against the API's schemas and its own references: what an import writes. */
export interface CheckedImport {
  /** projects by name, with the description and archived flag a Tasklane file gives */
  projects: Map<string, { name: string; description: string | null; archived: boolean }>
  /** tags by lower-cased name, with the color a Tasklane file gives */
  tags: Map<string, { name: string; color: string }>
  /** tasks in an order where every parent comes before its subtasks */
  tasks: ImportTask[]
  comments: ImportComment[]
  errors: ImportError[]
  errorCount: number
}

/**
 * Validates every record (the same zod schemas as the API) and every reference: projects (JSON),
 * parents and comments' tasks by their ids in the file, assignees by email among `memberEmails`.
 * Nothing is written; the errors name the row and the field.
 */
export function checkImport(raw: RawImport, memberEmails: Set<string>): CheckedImport {
  const out: CheckedImport = {
    projects: new Map(),
    tags: new Map(),
    tasks: [],
    comments: [],
    errors: [],
    errorCount: 0,
  }
  const csv = raw.format === 'csv'
  const fail = (row: number, path: string, message: string) => {
    out.errorCount++
    if (out.errors.length < MAX_LISTED_ERRORS) out.errors.push({ row, path, message })
  }
  const prefix = (array: string, field: string) => (csv ? field : `${array}.${field}`)
  function valid<S extends z.ZodType>(schema: S, array: string, r: RawRecord): z.output<S> | null {
    const parsed = schema.safeParse(r.fields)
    if (parsed.success) return parsed.data
    for (const issue of parsed.error.issues) fail(r.row, prefix(array, issue.path.join('.') || '$'), issue.message)
    return null
  }

  const projectNames = new Map<string, string>()
  for (const r of raw.projects) {
    const p = valid(ImportProject, 'projects', r)
    if (!p) continue
    projectNames.set(p.id, p.name)
    if (!out.projects.has(p.name)) {
      out.projects.set(p.name, { name: p.name, description: p.description ?? null, archived: p.archived ?? false })
    }
  }
  for (const r of raw.tags) {
    const t = valid(ImportTag, 'tags', r)
    if (t) out.tags.set(t.name.toLowerCase(), { name: t.name, color: t.color ?? DEFAULT_COLOR })
  }

  const byKey = new Map<string, ImportTask>()
  for (const r of raw.tasks) {
    const t = valid(ImportTask, 'tasks', r)
    if (!t) continue
    const key = t.id ?? `#${r.row}`
    if (byKey.has(key)) {
      fail(r.row, prefix('tasks', 'id'), 'the same id as an earlier task of the file')
      continue
    }
    const projectName = csv ? (t.project ?? DEFAULT_PROJECT) : t.projectId ? projectNames.get(t.projectId) : undefined
    if (!projectName) {
      fail(r.row, prefix('tasks', 'projectId'), 'names no project of the file')
      continue
    }
    if (!out.projects.has(projectName))
      out.projects.set(projectName, { name: projectName, description: null, archived: false })
    if (t.assigneeEmail && !memberEmails.has(t.assigneeEmail)) {
      fail(r.row, prefix('tasks', 'assigneeEmail'), 'no member of the team has this email')
      continue
    }
    for (const name of t.tags ?? []) {
      if (!out.tags.has(name.toLowerCase())) out.tags.set(name.toLowerCase(), { name, color: DEFAULT_COLOR })
    }
    byKey.set(key, { ...t, row: r.row, key, projectName })
  }
  out.tasks = parentsFirst(byKey, (task, message) => fail(task.row, prefix('tasks', 'parentId'), message))

  for (const r of raw.comments) {
    const c = valid(ImportComment, 'comments', r)
    if (!c) continue
    if (!byKey.has(c.taskId)) fail(r.row, prefix('comments', 'taskId'), 'names no task of the file')
    else out.comments.push({ ...c, row: r.row })
  }
  if (!raw.tasks.length && !raw.comments.length && !raw.projects.length)
    fail(0, csv ? 'title' : 'tasks', 'the file holds no tasks')
  return out
}

/** Tasks ordered so that a parent is written before its subtasks; an unknown parent or a cycle is an error. */
function parentsFirst(byKey: Map<string, ImportTask>, fail: (task: ImportTask, message: string) => void): ImportTask[] {
  const ordered: ImportTask[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  for (const start of byKey.values()) {
    // walk up to the first ancestor already placed, then place the chain top-down (no recursion: deep trees)
    const chain: ImportTask[] = []
    let t: ImportTask | undefined = start
    let broken = false
    while (t && !state.has(t.key)) {
      state.set(t.key, 'visiting')
      chain.push(t)
      if (!t.parentId) break
      const parent = byKey.get(t.parentId)
      if (!parent) {
        fail(t, 'names no task of the file')
        broken = true
        break
      }
      t = parent
    }
    if (t && state.get(t.key) === 'visiting' && chain.length && chain.at(-1) !== t) {
      fail(t, 'subtasks form a cycle')
      broken = true
    }
    for (const c of chain) state.set(c.key, 'done')
    if (!broken) ordered.push(...chain.reverse())
  }
  return ordered
}
