import { useQuery } from '@tanstack/react-query'
import { createContext, type ReactNode, useContext, useEffect, useMemo } from 'react'
import { api } from '../api/client.ts'
import { unwrap } from '../api/problem.ts'
import type { Project, Team } from '../api/types.ts'
import { useStoredState } from './stored-state.ts'

export interface Workspace {
  teams: Team[]
  team: Team
  projects: Project[]
  /** the project new tasks go to and the board shows: the chosen one, else the team's Inbox */
  project: Project | undefined
  selectTeam(id: string): void
  selectProject(id: string): void
}

export const TEAM_KEY = 'tasklane.team'
export const PROJECT_KEY = 'tasklane.project'

const Context = createContext<Workspace | null>(null)

export function useWorkspace(): Workspace {
  const workspace = useContext(Context)
  if (!workspace) throw new Error('useWorkspace outside WorkspaceProvider')
  return workspace
}

export const teamsQuery = {
  queryKey: ['teams'],
  queryFn: async () => unwrap(await api.GET('/api/v1/teams', { params: { query: { limit: 100 } } })).items,
}

export const projectsQuery = (teamId: string) => ({
  queryKey: ['projects', teamId],
  queryFn: async () => unwrap(await api.GET('/api/v1/projects', { params: { query: { teamId, limit: 100 } } })).items,
})

/** Loads the teams and the chosen team's projects; renders its children once there is a team. */
export function WorkspaceProvider({ children }: { children: ReactNode }) {
  // a link may name the team to show (the emails' links do: ?team=<id>); one the caller is not in is ignored
  const [teamId, setTeamId] = useStoredState(TEAM_KEY, new URLSearchParams(window.location.search).get('team'))
  const [projectId, setProjectId] = useStoredState(PROJECT_KEY)
  const teams = useQuery(teamsQuery)
  const team = teams.data?.find((t) => t.id === teamId) ?? teams.data?.find((t) => t.personal) ?? teams.data?.[0]
  const projects = useQuery({ ...projectsQuery(team?.id ?? ''), enabled: !!team })
  const workspace = useMemo<Workspace | null>(() => {
    if (!team) return null
    const active = (projects.data ?? []).filter((p) => !p.archived)
    const project =
      active.find((p) => p.id === projectId) ?? active.find((p) => p.name === 'Inbox') ?? active[0] ?? undefined
    return {
      teams: teams.data ?? [],
      team,
      projects: projects.data ?? [],
      project,
      selectTeam: (id) => {
        setTeamId(id)
        setProjectId(null)
      },
      selectProject: setProjectId,
    }
  }, [team, teams.data, projects.data, projectId, setTeamId, setProjectId])

  // remember what was shown, so the next load can ask for this team's projects and tasks at once (prefetch.ts)
  useEffect(() => {
    if (workspace) localStorage.setItem(TEAM_KEY, workspace.team.id)
    if (workspace?.project) localStorage.setItem(PROJECT_KEY, workspace.project.id)
  }, [workspace])

  if (teams.error) return <p role="alert">Your teams could not be loaded: {teams.error.message}</p>
  if (!workspace || projects.isPending) return <p aria-busy="true">Loading your teams…</p>
  return <Context.Provider value={workspace}>{children}</Context.Provider>
}
