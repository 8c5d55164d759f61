import { asc, eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { taskTags } from '../../db/tables/tasks.ts'

/** A task's tag ids, sorted. */
export async function tagIdsOf(tx: Db, taskId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: taskTags.tagId })
    .from(taskTags)
    .where(eq(taskTags.taskId, taskId))
    .orderBy(asc(taskTags.tagId))
  return rows.map((r) => r.id)
}

/** Sets a task's tags (`replace`: instead of those it has), in the caller's transaction. */
export async function setTags(tx: Db, taskId: string, tagIds: readonly string[], replace: boolean): Promise<void> {
  if (replace) await tx.delete(taskTags).where(eq(taskTags.taskId, taskId))
  if (tagIds.length) await tx.insert(taskTags).values(tagIds.map((tagId) => ({ taskId, tagId })))
}
