import { Readable } from 'node:stream'
import { and, asc, eq, sql } from 'drizzle-orm'
import type { Database } from '../../db/client.ts'
import { createReads } from '../../db/replica.ts'
import { projects } from '../../db/tables/projects.ts'
import { tasks } from '../../db/tables/tasks.ts'
import { teams } from '../../db/tables/teams.ts'
import { users } from '../../db/tables/users.ts'
import { type Actor, scopesForRole } from '../../http/auth.ts'
import type { Storage } from '../../infra/storage.ts'
import { iso } from '../../lib/time.ts'
import { getLeaderboard, getMetrics } from '../dashboard/index.ts'
import { JOBS_PREFIX } from './jobs.export.ts'
import type { Outcome, Run } from './jobs.run.ts'

/** Overdue tasks listed in a report; the count of all of them is in its figures. */
const MAX_OVERDUE = 50

/**
 * Makes the report's PDF from the dashboard's own figures (the same service as the API, as the
 * job's creator sees them) and stores it like an export's file.
 */
export async function runReport(deps: { database: Database; storage: Storage }, run: Run): Promise<Outcome> {
  const { db } = deps.database
  const { teamId, projectId, createdBy } = run.job
  const { from, to } = run.job.params as { from: string; to: string }
  const [user] = await db.select({ role: users.role }).from(users).where(eq(users.id, createdBy))
  const role = user?.role ?? 'user'
  const actor: Actor = { userId: createdBy, role, scopes: scopesForRole(role), via: 'session' }
  const dashboard = { db, reads: createReads({ primary: deps.database, log: { warn: () => {} } }) }
  const now = new Date()
  const query = { teamId, ...(projectId ? { projectId } : {}), from, to }
  const metrics = await getMetrics(dashboard, actor, query, now)
  const leaderboard = await getLeaderboard(dashboard, actor, { ...query, limit: 10 }, now)
  const overdue = await db
    .select({ title: tasks.title, dueAt: tasks.dueAt, assignee: users.name })
    .from(tasks)
    .leftJoin(users, eq(users.id, tasks.assigneeId))
    .where(
      and(
        eq(tasks.teamId, teamId),
        projectId ? eq(tasks.projectId, projectId) : undefined,
        sql`${tasks.status} in ('todo', 'in_progress') and ${tasks.dueAt} < ${now.toISOString()}::timestamptz`,
      ),
    )
    .orderBy(asc(tasks.dueAt), asc(tasks.id))
    .limit(MAX_OVERDUE)
  const [team] = await db.select({ name: teams.name }).from(teams).where(eq(teams.id, teamId))
  const [project] = projectId
    ? await db.select({ name: projects.name }).from(projects).where(eq(projects.id, projectId))
    : []
  await run.progress(1, 2)
  // pdf-lib (~3.5 MB of heap) loads with the first report: an API instance that never makes one does not hold it
  const { reportPdf } = await import('./report.pdf.ts')
  const pdf = await reportPdf({
    team: team?.name ?? '',
    project: project?.name ?? null,
    from,
    to,
    generatedAt: iso(now),
    metrics,
    leaderboard,
    overdue: overdue.map((t) => ({ title: t.title, dueAt: iso(t.dueAt!), assignee: t.assignee })),
  })
  const key = `${JOBS_PREFIX}${run.job.id}/${run.runId}.pdf`
  const put = await deps.storage.put(key, Readable.from([Buffer.from(pdf)]), { contentType: 'application/pdf' })
  return {
    status: 'done',
    resultKey: key,
    progress: 2,
    result: {
      rows: 1,
      size: put.size,
      sha256: put.sha256,
      filename: `tasklane-report-${from.slice(0, 10)}-${to.slice(0, 10)}.pdf`,
    },
  }
}
