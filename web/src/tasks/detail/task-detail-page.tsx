import { NotBuilt } from '../../shell/not-built.tsx'

export default function TaskDetailPage() {
  return <NotBuilt title="Task" api="/api/v1/tasks/{id}" />
}
