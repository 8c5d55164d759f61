import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'

const t = useTestApp()

/**
 * Two teams, each with an owner: every route that names the other team's resource must answer as if
 * it did not exist (404, or 400 for an id in a body), and no list may show it.
 */
async function twoTeams() {
  const ours = await given.user(t.app, { name: 'Ours' })
  const theirs = await given.user(t.app, { name: 'Theirs' })
  const [teamA, teamB] = await Promise.all([given.team(t.app, ours), given.team(t.app, theirs)])
  const memberB = await given.member(t.app, teamB, theirs, 'member')
  const projectB = await given.project(t.app, teamB, theirs, { name: 'Hidden project', description: 'secret' })
  const tagB = await given.tag(t.app, teamB, theirs, { name: 'hidden-tag' })
  return { ours, theirs, teamA, teamB, memberB, projectB, tagB }
}

describe('cross-team access', () => {
  it("answers 404 on every single-resource route of another team's objects, and changes nothing", async () => {
    const w = await twoTeams()
    const routes: [string, string, object?][] = [
      ['GET', `/api/v1/teams/${w.teamB.id}`],
      ['PATCH', `/api/v1/teams/${w.teamB.id}`, { name: 'Pwned' }],
      ['DELETE', `/api/v1/teams/${w.teamB.id}`],
      ['GET', `/api/v1/teams/${w.teamB.id}/members`],
      ['POST', `/api/v1/teams/${w.teamB.id}/members`, { userId: w.ours.id, role: 'owner' }],
      ['PATCH', `/api/v1/teams/${w.teamB.id}/members/${w.memberB.id}`, { role: 'viewer' }],
      ['DELETE', `/api/v1/teams/${w.teamB.id}/members/${w.memberB.id}`],
      ['GET', `/api/v1/projects/${w.projectB.id}`],
      ['PATCH', `/api/v1/projects/${w.projectB.id}`, { name: 'Pwned' }],
      ['DELETE', `/api/v1/projects/${w.projectB.id}`],
      ['GET', `/api/v1/tags/${w.tagB.id}`],
      ['PATCH', `/api/v1/tags/${w.tagB.id}`, { name: 'pwned' }],
      ['DELETE', `/api/v1/tags/${w.tagB.id}`],
      ['GET', `/api/v1/projects?teamId=${w.teamB.id}`],
      ['GET', `/api/v1/tags?teamId=${w.teamB.id}`],
      ['GET', `/api/v1/activity?teamId=${w.teamB.id}`],
      ['GET', `/api/v1/activity?projectId=${w.projectB.id}`],
    ]
    const before = await snapshot(w.teamB.id)
    for (const [method, url, payload] of routes) {
      const res = await t.app.inject({ method: method as 'GET', url, headers: w.ours.auth, payload })
      expect(res.statusCode, `${method} ${url}`).toBe(404)
      // the answer is the same as for an id that never existed: nothing about the object leaks
      expect(res.body).not.toMatch(/Hidden project|hidden-tag|secret/)
    }
    expect(await snapshot(w.teamB.id)).toEqual(before)
  })

  it('answers 400 naming body.teamId when creating in another team, and writes nothing', async () => {
    const w = await twoTeams()
    const before = await snapshot(w.teamB.id)
    for (const [url, payload] of [
      ['/api/v1/projects', { teamId: w.teamB.id, name: 'Planted' }],
      ['/api/v1/tags', { teamId: w.teamB.id, name: 'planted', color: '#000000' }],
    ] as const) {
      const res = await t.app.inject({ method: 'POST', url, headers: w.ours.auth, payload })
      expect(res.statusCode, url).toBe(400)
      expect(res.json().errors).toEqual([{ path: 'body.teamId', message: expect.any(String) }])
    }
    expect(await snapshot(w.teamB.id)).toEqual(before)
  })

  it("never lists another team's teams, members, projects, tags, activity or users", async () => {
    const w = await twoTeams()
    const hidden = [w.teamB.id, w.projectB.id, w.tagB.id, w.theirs.id, w.memberB.id]
    for (const url of ['/api/v1/teams', '/api/v1/projects', '/api/v1/activity', '/api/v1/users']) {
      const res = await t.app.inject({ method: 'GET', url: `${url}?limit=100`, headers: w.ours.auth })
      expect(res.statusCode, url).toBe(200)
      for (const id of hidden) expect(res.body, `${url} leaks ${id}`).not.toContain(id)
    }
    const tags = await t.app.inject({ method: 'GET', url: `/api/v1/tags?teamId=${w.teamA.id}`, headers: w.ours.auth })
    expect(tags.json().items).toEqual([])
  })
})

/** Everything of a team that a write could touch, to prove a refused write wrote nothing. */
async function snapshot(teamId: string) {
  const q = async (sql: string) => (await t.database.sql.query(sql, [teamId])).rows
  return {
    team: await q('select name, version from teams where id = $1'),
    members: await q('select user_id, role from team_members where team_id = $1 order by user_id'),
    projects: await q('select id, name, version from projects where team_id = $1 order by id'),
    tags: await q('select id, name, version from tags where team_id = $1 order by id'),
    activity: await q('select count(*)::int as n from activity where team_id = $1'),
  }
}
