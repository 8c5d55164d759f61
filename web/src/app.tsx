import { lazy, Suspense } from 'react'
import { Navigate, Route, Routes } from 'react-router'
import { useSignedIn } from './auth/auth.tsx'
import { InvitationPage } from './auth/invitation-page.tsx'
import { ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage } from './auth/password-reset-pages.tsx'
import { SignInPage } from './auth/sign-in-page.tsx'
import { SignUpPage } from './auth/sign-up-page.tsx'
import { SsoCallbackPage } from './auth/sso-callback-page.tsx'
import { LiveUpdates } from './live/live-updates.tsx'
import { Layout } from './shell/layout.tsx'
import { WorkspaceProvider } from './shell/workspace.tsx'
import { TaskListPage } from './tasks/task-list-page.tsx'

// pages past the first one load on demand, so the first page's JavaScript stays small
const TaskDetailPage = lazy(() => import('./tasks/detail/task-detail-page.tsx'))
const BoardPage = lazy(() => import('./board/board-page.tsx'))
const DashboardPage = lazy(() => import('./dashboard/dashboard-page.tsx'))
const ProjectsPage = lazy(() => import('./projects/projects-page.tsx'))
const NotesPage = lazy(() => import('./notes/notes-page.tsx'))
const JobsPage = lazy(() => import('./jobs/jobs-page.tsx'))
const MembersPage = lazy(() => import('./settings/members-page.tsx'))
const WebhooksPage = lazy(() => import('./settings/webhooks-page.tsx'))
const TokensPage = lazy(() => import('./settings/tokens-page.tsx'))
const TeamsPage = lazy(() => import('./settings/teams-page.tsx'))
const AccountPage = lazy(() => import('./settings/account-page.tsx'))
const SecurityPage = lazy(() => import('./settings/security-page.tsx'))

export function App() {
  const signedIn = useSignedIn()
  if (!signedIn) {
    return (
      <Routes>
        <Route path="/signup" element={<SignUpPage />} />
        <Route path="/forgot-password" element={<ForgotPasswordPage />} />
        <Route path="/reset-password" element={<ResetPasswordPage />} />
        <Route path="/verify-email" element={<VerifyEmailPage />} />
        <Route path="/invitations/accept" element={<InvitationPage />} />
        <Route path="/sso/callback" element={<SsoCallbackPage />} />
        <Route path="*" element={<SignInPage />} />
      </Routes>
    )
  }
  return (
    <WorkspaceProvider>
      <LiveUpdates />
      <Routes>
        {/* pages that email links open: full pages of their own, signed in or not */}
        <Route path="invitations/accept" element={<InvitationPage />} />
        <Route path="reset-password" element={<ResetPasswordPage />} />
        <Route path="verify-email" element={<VerifyEmailPage />} />
        <Route element={<Layout />}>
          <Route index element={<Navigate to="/tasks" replace />} />
          <Route path="signup" element={<Navigate to="/tasks" replace />} />
          <Route path="sso/callback" element={<Navigate to="/tasks" replace />} />
          <Route path="tasks" element={<TaskListPage />} />
          <Route path="tasks/:id" element={<Lazy page={<TaskDetailPage />} />} />
          <Route path="board" element={<Lazy page={<BoardPage />} />} />
          <Route path="dashboard" element={<Lazy page={<DashboardPage />} />} />
          <Route path="projects" element={<Lazy page={<ProjectsPage />} />} />
          <Route path="notes" element={<Lazy page={<NotesPage />} />} />
          <Route path="members" element={<Lazy page={<MembersPage />} />} />
          <Route path="import-export" element={<Lazy page={<JobsPage />} />} />
          <Route path="webhooks" element={<Lazy page={<WebhooksPage />} />} />
          <Route path="tokens" element={<Lazy page={<TokensPage />} />} />
          <Route path="teams" element={<Lazy page={<TeamsPage />} />} />
          <Route path="account" element={<Lazy page={<AccountPage />} />} />
          <Route path="security" element={<Lazy page={<SecurityPage />} />} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </WorkspaceProvider>
  )
}

function Lazy({ page }: { page: React.ReactNode }) {
  return <Suspense fallback={<p aria-busy="true">Loading…</p>}>{page}</Suspense>
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
    </section>
  )
}
