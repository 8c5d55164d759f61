import type { SqlClient } from '../../src/db/client.ts'
import { WORDS } from '../seed/words.ts'

export interface BenchUser {
  userId: string
  email: string
  teamId: string
  projectIds: string[]
  tagIds: string[]
  /** tasks of the user's team the read workloads fetch */
  taskIds: string[]
  /** tasks only this user updates, so concurrent PATCHes never race on one If-Match */
  ownTaskIds: string[]
}

// words past the generator's most common ones (it draws them Zipf-like): each matches a few per
// cent of a team's tasks, as a search for a specific thing does; the two-word ones need both
export const SEARCH_TERMS = [60, 75, 90, 105, 120, 135, [50, 70], [45, 95]].map((w) =>
  Array.isArray(w) ? w.map((i) => WORDS[i]).join(' ') : WORDS[w]!,
)

/**
 * Members (not owners or admins) of the big teams, spread over those teams, with what the
 * workloads need of their team: open projects, tags, and tasks to read and to update.
 */
export async function loadFixtures(sql: SqlClient, count: number): Promise<BenchUser[]> {
  const { rows: members } = await sql.query<{ user_id: string; email: string; team_id: string }>(
    `select user_id, email, team_id from (
       select distinct on (tm.user_id) tm.user_id, u.email, tm.team_id, t.name
         from team_members tm join users u on u.id = tm.user_id join teams t on t.id = tm.team_id
        where t.name like 'Big team %' and tm.role = 'member' and not u.disabled
        order by tm.user_id, t.name
     ) m order by row_number() over (partition by team_id order by user_id), team_id
     limit $1`,
    [count],
  )
  if (!members.length) throw new Error('no bench users found: run npm run bench:seed first')
  const teams = [...new Set(members.map((m) => m.team_id))]
  const perTeam = new Map<string, { projects: string[]; tags: string[]; tasks: string[] }>()
  for (const teamId of teams) {
    const projects = await sql.query<{ id: string }>(
      `select id from projects where team_id = $1 and not archived order by id`,
      [teamId],
    )
    const tags = await sql.query<{ id: string }>(`select id from tags where team_id = $1 order by id`, [teamId])
    // a deterministic spread over the whole team (old and new tasks), without recurring ones
    const tasks = await sql.query<{ id: string }>(
      `select t.id from tasks t join projects p on p.id = t.project_id
        where t.team_id = $1 and t.recurrence is null and not p.archived
        order by md5(t.id::text) limit 2000`,
      [teamId],
    )
    perTeam.set(teamId, {
      projects: projects.rows.map((r) => r.id),
      tags: tags.rows.map((r) => r.id),
      tasks: tasks.rows.map((r) => r.id),
    })
  }
  return members.map((m, i) => {
    const team = perTeam.get(m.team_id)!
    const usersOfTeam = members.filter((x) => x.team_id === m.team_id)
    const slot = usersOfTeam.indexOf(m)
    const own = team.tasks.filter((_, k) => k % usersOfTeam.length === slot).slice(0, 20)
    return {
      userId: m.user_id,
      email: m.email,
      teamId: m.team_id,
      projectIds: team.projects,
      tagIds: team.tags,
      taskIds: team.tasks.slice((i * 37) % 1000, ((i * 37) % 1000) + 400),
      ownTaskIds: own,
    }
  })
}
