import { NotBuilt } from '../shell/not-built.tsx'

export default function NotesPage() {
  return <NotBuilt title="Notes" api="/api/v1/notes" />
}
