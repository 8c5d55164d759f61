// The statements the app runs for GET /tasks and GET /tasks/:id, as Drizzle renders them
// (src/modules/tasks/tasks.queries.ts, tasks.list.ts, tasks.read.ts). The bench checks at start
// that both servers answer the same bodies, so a drift between the two shows up at once.

const VISIBLE = (column: string, param: number) =>
  `${column} in (select "team_members"."team_id" from "team_members" where "team_members"."user_id" = $${param})`

const SELECT_TASK = `select "tasks"."id", "tasks"."project_id", "tasks"."team_id", "tasks"."parent_id", "tasks"."title", "tasks"."description", "tasks"."status", "tasks"."priority_rank", "tasks"."due_at", "tasks"."remind_at", "tasks"."assignee_id", "users"."name", "tasks"."position", "tasks"."recurrence", "tasks"."completed_at", "tasks"."created_at", "tasks"."updated_at", "tasks"."version", coalesce((
    select json_agg(json_build_object('id', "tags"."id", 'name', "tags"."name", 'color', "tags"."color")
                    order by lower("tags"."name"), "tags"."id")
    from "task_tags" join "tags" on "tags"."id" = "task_tags"."tag_id"
    where "task_tags"."task_id" = "tasks"."id"), '[]'::json), (select count(*)::int from tasks subtask where subtask.parent_id = "tasks"."id") from "tasks" left join "users" on "users"."id" = "tasks"."assignee_id"`

export const GET_TASK = `${SELECT_TASK} where ("tasks"."id" = $1 and ${VISIBLE('"tasks"."team_id"', 2)})`

export const TEAM_VISIBLE = `select "id" from "teams" where ("teams"."id" = $1 and ${VISIBLE('"teams"."id"', 2)})`
export const PROJECT_VISIBLE = `select "id" from "projects" where ("projects"."id" = $1 and ${VISIBLE('"projects"."team_id"', 2)})`

export const USER_STATE = `select "role", "disabled" from "users" where "users"."id" = $1`
export const REVOKED_FAMILIES = `select distinct "family_id" from "sessions" where ("sessions"."user_id" = $1 and "sessions"."revoked_at" is not null and "sessions"."revoked_at" > $2)`

export interface ListFilters {
  userId: string
  projectId?: string
  teamId?: string
  status?: string[]
  priorityRanks?: number[]
  assigneeId?: string
  tag?: string[]
  overdueBefore?: string
  limit: number
}

/** The list statement for these filters, in the order the app adds its conditions, with its parameters. */
export function listTasksSql(f: ListFilters): { text: string; params: unknown[] } {
  const params: unknown[] = []
  const p = (v: unknown) => {
    params.push(v)
    return `$${params.length}`
  }
  params.push(f.userId)
  // narrowed to a team or project: visibility and tags as per-row probes (see taskFilters)
  const narrowed = Boolean(f.teamId || f.projectId)
  const where = [
    narrowed
      ? `coalesce((select true from "team_members" where "team_members"."team_id" = "tasks"."team_id" and "team_members"."user_id" = $1), false)`
      : VISIBLE('"tasks"."team_id"', 1),
  ]
  if (f.projectId) where.push(`"tasks"."project_id" = ${p(f.projectId)}`)
  if (f.teamId) where.push(`"tasks"."team_id" = ${p(f.teamId)}`)
  if (!f.projectId)
    where.push(`"tasks"."project_id" not in (select "projects"."id" from "projects" where "projects"."archived")`)
  if (f.status) where.push(`"tasks"."status" in (${f.status.map(p).join(', ')})`)
  if (f.priorityRanks) where.push(`"tasks"."priority_rank" in (${f.priorityRanks.map(p).join(', ')})`)
  if (f.assigneeId) where.push(`"tasks"."assignee_id" = ${p(f.assigneeId)}`)
  if (f.tag) {
    const tags = f.tag.map(p).join(', ')
    where.push(
      narrowed
        ? `coalesce((select true from "task_tags" where "task_tags"."task_id" = "tasks"."id" and "task_tags"."tag_id" in (${tags}) limit 1), false)`
        : `"tasks"."id" in (select "task_tags"."task_id" from "task_tags" where "task_tags"."tag_id" in (${tags}))`,
    )
  }
  if (f.overdueBefore) {
    where.push(`"tasks"."status" in ('todo', 'in_progress') and "tasks"."due_at" < ${p(f.overdueBefore)}::timestamptz`)
  }
  const text = `${SELECT_TASK} where (${where.join(' and ')}) order by "tasks"."created_at" desc, "tasks"."id" desc limit ${p(f.limit + 1)}`
  return { text, params }
}
