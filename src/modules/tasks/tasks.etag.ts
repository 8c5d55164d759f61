import { createHash } from 'node:crypto'
import type { Db } from '../../db/client.ts'
import { etagOf } from '../../http/etag.ts'
import { preconditionFailed } from '../../http/problem.ts'
import { taskById } from './tasks.queries.ts'
import type { Task } from './tasks.schema.ts'

/**
 * A task's ETag: its version, and a digest of what the body shows that the version does not count
 * (the subtask count, the tags' names and colours, the assignee's name), so adding a subtask or
 * renaming a tag changes it without writing to the task. Computed from the values returned: no
 * query of its own on the hot GET.
 */
export function taskEtag(task: Task): string {
  const derived = JSON.stringify([task.subtaskCount, task.tags, task.assignee?.name ?? null])
  return etagOf(task.version, createHash('sha1').update(derived).digest('base64url').slice(0, 12))
}

/**
 * Checks an If-Match (`expected`) against the task, under its row lock: its full ETag as a GET
 * returned it, or the bare version (`"7"`, the body's `version`) that guards the task's own fields
 * (what a write can change; older clients and the benchmark send it). Only the full form costs a
 * read of the task's shape, and only on a conditional write.
 */
export async function requireTaskMatch(tx: Db, id: string, version: number, expected?: string): Promise<void> {
  if (expected === undefined) return
  const bare = /^"(\d{1,10})"$/.exec(expected)
  if (bare ? Number(bare[1]) === version : expected === taskEtag(await taskById(tx, id))) return
  throw preconditionFailed(
    expected.startsWith('W/') ? 'If-Match compares ETags strongly: a weak one (W/) never matches' : undefined,
  )
}
