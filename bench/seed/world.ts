import { BENCH_EMAIL_DOMAIN } from '../lib/db.ts'
import type { Rng } from '../lib/rng.ts'
import { COLORS, FIRST_NAMES, LAST_NAMES, WORDS } from './words.ts'
import type { Cell } from './write.ts'

const DAY = 86_400_000

export interface Team {
  id: string
  kind: 'big' | 'small' | 'personal'
  members: string[]
  projects: string[]
  /** projects that take new tasks (archived ones keep their old tasks only) */
  openProjects: string[]
  tags: string[]
  /** share of all tasks */
  weight: number
}

/** Everything but tasks: users, teams with members, projects and tags, as rows ready to insert. */
export function buildWorld(r: Rng, opts: { users: number; now: number; passwordHash: string }) {
  const { now, passwordHash } = opts
  const start = now - 400 * DAY
  const rows = {
    users: [] as Cell[][],
    teams: [] as Cell[][],
    team_members: [] as Cell[][],
    projects: [] as Cell[][],
    tags: [] as Cell[][],
  }
  const teams: Team[] = []
  const userIds: string[] = []
  const names: string[] = []
  const iso = (ms: number) => new Date(ms).toISOString()

  for (let i = 0; i < opts.users; i++) {
    const at = start + (i / opts.users) * 30 * DAY
    const id = r.uuidv7(at)
    const name = `${r.pick(FIRST_NAMES)} ${r.pick(LAST_NAMES)}`
    userIds.push(id)
    names.push(name)
    rows.users.push([id, `user${i}@${BENCH_EMAIL_DOMAIN}`, name, passwordHash, 'user', false, iso(at), iso(at)])
  }

  const addTeam = (
    kind: Team['kind'],
    name: string,
    members: string[],
    projectCount: number,
    tagCount: number,
    weight: number,
  ) => {
    const at = start + 31 * DAY + r.int(0, 5 * DAY)
    const team: Team = { id: r.uuidv7(at), kind, members, projects: [], openProjects: [], tags: [], weight }
    rows.teams.push([team.id, name, kind === 'personal', iso(at), iso(at)])
    members.forEach((userId, i) => {
      // the first member owns the team; a few admins and viewers, the rest members
      const role =
        i === 0 ? 'owner' : kind === 'personal' ? 'member' : i <= 3 ? 'admin' : r.chance(0.05) ? 'viewer' : 'member'
      rows.team_members.push([team.id, userId, role, iso(at)])
    })
    for (let p = 0; p < projectCount; p++) {
      const id = r.uuidv7(at + p)
      const archived = kind !== 'personal' && p > 0 && r.chance(0.05)
      const pname = kind === 'personal' ? 'Inbox' : `${r.pick(WORDS)} ${r.pick(WORDS)} ${p + 1}`
      rows.projects.push([id, team.id, pname, null, archived, iso(at), iso(at)])
      team.projects.push(id)
      if (!archived) team.openProjects.push(id)
    }
    for (let t = 0; t < tagCount; t++) {
      const id = r.uuidv7(at + t)
      rows.tags.push([id, team.id, `${WORDS[(t * 7) % WORDS.length]}-${t + 1}`, r.pick(COLORS), iso(at), iso(at)])
      team.tags.push(id)
    }
    teams.push(team)
    return team
  }

  // a few large teams hold half the tasks; many small ones most of the rest; personal inboxes a little
  const bigSize = Math.min(Math.floor(opts.users / 4), opts.users >= 20_000 ? 800 : opts.users >= 10_000 ? 400 : 150)
  for (let b = 0; b < 4; b++) {
    addTeam('big', `Big team ${b + 1}`, r.sample(userIds, bigSize), 25, 20, 0.5 / 4)
  }
  const smallTeams = Math.floor(opts.users / 10)
  const smallWeights = Array.from({ length: smallTeams }, () => 0.5 + r.next())
  const smallTotal = smallWeights.reduce((s, w) => s + w, 0)
  for (let s = 0; s < smallTeams; s++) {
    const members = r.sample(userIds, r.int(3, 10))
    addTeam('small', `Team ${s + 1}`, members, r.int(1, 4), r.int(3, 8), (0.45 * smallWeights[s]!) / smallTotal)
  }
  userIds.forEach((id, i) => {
    addTeam('personal', `${names[i]}'s team`, [id], 1, 0, 0.05 / opts.users)
  })
  return { rows, teams, userIds }
}
export type World = ReturnType<typeof buildWorld>
