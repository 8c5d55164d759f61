/** A page whose screen is not written yet: says so plainly, and where the API offers the same. */
export function NotBuilt({ title, api }: { title: string; api: string }) {
  return (
    <section>
      <h1>{title}</h1>
      <p>
        This page is not in the web app yet. The API offers it at <code>{api}</code>.
      </p>
    </section>
  )
}
