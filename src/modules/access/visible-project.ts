import { and, eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { projects } from '../../db/tables/projects.ts'
import type { Actor } from '../../http/auth.ts'
import { notFound } from '../../http/problem.ts'
import { visibleTo } from './team-roles.ts'

/**
 * A list filtered by `?projectId=` of a project the caller cannot see (another team's, or none) is
 * a 404 like any invisible resource (API.md), never an empty page that says nothing.
 */
export async function requireVisibleProject(db: Db, actor: Actor, projectId: string): Promise<void> {
  const [row] = await db
    .select({ id: projects.id })
    .from(projects)
    .where(and(eq(projects.id, projectId), visibleTo(actor, projects.teamId)))
  if (!row) throw notFound('project', projectId)
}
