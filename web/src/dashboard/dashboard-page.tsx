import { NotBuilt } from '../shell/not-built.tsx'

export default function DashboardPage() {
  return <NotBuilt title="Dashboard" api="/api/v1/dashboard/metrics" />
}
