import { useState } from 'react'
import { NavLink, Outlet } from 'react-router'
import { useAuthActions, useMe } from '../auth/auth.tsx'
import { LiveStatus } from '../live/live-status.tsx'
import { NewTaskDialog } from '../tasks/new-task-dialog.tsx'
import { TroubleBanner } from './trouble-banner.tsx'
import { useWorkspace } from './workspace.tsx'

// the primary pages, then the team's settings; pages added later slot into one of these lists
const PRIMARY = [
  { to: '/tasks', label: 'Tasks' },
  { to: '/board', label: 'Board' },
  { to: '/dashboard', label: 'Dashboard' },
  { to: '/notes', label: 'Notes' },
]
const TEAM = [
  { to: '/projects', label: 'Projects' },
  { to: '/members', label: 'Members' },
  { to: '/import-export', label: 'Import & export' },
  { to: '/webhooks', label: 'Webhooks', admin: true },
]
const PERSONAL = [
  { to: '/teams', label: 'Teams' },
  { to: '/account', label: 'Account' },
  { to: '/security', label: 'Security' },
  { to: '/tokens', label: 'Access tokens' },
]

export function Layout() {
  const { team, teams, selectTeam, project, projects, selectProject } = useWorkspace()
  const { signOut, signOutEverywhere } = useAuthActions()
  const me = useMe()
  const [creating, setCreating] = useState(false)
  const active = projects.filter((p) => !p.archived)
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Tasklane</span>
        <div className="context">
          <label>
            <span className="visually-hidden">Team</span>
            <select value={team.id} onChange={(e) => selectTeam(e.target.value)}>
              {teams.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span className="visually-hidden">Project</span>
            <select value={project?.id ?? ''} onChange={(e) => selectProject(e.target.value)} disabled={!active.length}>
              {active.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        <button type="button" className="primary" onClick={() => setCreating(true)} disabled={!project}>
          New task
        </button>
        <details className="account">
          <summary>
            <span className="visually-hidden">Account of </span>
            {me.data?.name ?? 'Account'}
          </summary>
          <div className="account-menu">
            <p className="muted">{me.data?.email}</p>
            <button type="button" onClick={() => void signOutEverywhere()}>
              Sign out everywhere
            </button>
          </div>
        </details>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <nav className="sidebar" aria-label="Main">
        <ul>
          {PRIMARY.map((item) => (
            <li key={item.to}>
              <NavLink to={item.to}>{item.label}</NavLink>
            </li>
          ))}
        </ul>
        <h2 className="nav-heading">{team.name}</h2>
        <ul>
          {TEAM.filter((item) => !item.admin || team.role === 'owner' || team.role === 'admin').map((item) => (
            <li key={item.to}>
              <NavLink to={item.to}>{item.label}</NavLink>
            </li>
          ))}
        </ul>
        <h2 className="nav-heading">You</h2>
        <ul>
          {PERSONAL.map((item) => (
            <li key={item.to}>
              <NavLink to={item.to}>{item.label}</NavLink>
            </li>
          ))}
        </ul>
        <LiveStatus />
      </nav>
      <main id="main" tabIndex={-1}>
        <TroubleBanner />
        <Outlet />
      </main>
      <NewTaskDialog open={creating} onClose={() => setCreating(false)} />
    </div>
  )
}
