import { NotBuilt } from '../shell/not-built.tsx'

export default function BoardPage() {
  return <NotBuilt title="Board" api="/api/v1/tasks?sort=position" />
}
