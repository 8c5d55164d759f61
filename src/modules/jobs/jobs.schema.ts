import { z } from 'zod'
import { JOB_KINDS, JOB_STATUSES } from '../../db/tables/jobs.ts'
import { Id, PageQuery, Text, Timestamp } from '../../http/schemas.ts'
import { TaskPriority, TaskQuery, TaskStatus } from '../tasks/index.ts'

const Count = z.number().int().min(0).max(2_147_483_647).meta({ format: 'int32' })

const ExportResult = z
  .object({
    rows: Count,
    size: z.number().int().min(0).meta({ format: 'int64' }),
    sha256: z.string().max(64),
    filename: z.string().max(255),
  })
  .meta({ id: 'ExportResult', description: 'The file an export or a report made' })

const ImportError = z
  .object({
    row: Count.meta({
      description:
        'CSV: the row as a spreadsheet numbers it (the header is 1); JSON: the position in its array, from 1',
    }),
    path: z.string().max(200).meta({ description: 'The column (CSV) or `<array>.<field>` (JSON)' }),
    message: z.string().max(1000),
  })
  .meta({ id: 'ImportError' })

const ImportResult = z
  .object({
    created: z.object({ projects: Count, tags: Count, tasks: Count, comments: Count }),
    errors: z.array(ImportError).max(100),
    dryRun: z.boolean(),
  })
  .meta({
    id: 'ImportResult',
    description: 'What an import created (or, dry or failed, would have created) and why rows failed',
  })

/** The task-list filters an export takes (those of GET /tasks), as JSON. */
export const ExportFilter = z
  .strictObject({
    status: z.array(TaskStatus).min(1).max(4).optional(),
    priority: z.array(TaskPriority).min(1).max(4).optional(),
    assigneeId: TaskQuery.shape.assigneeId,
    tag: z.array(Id).min(1).max(20).optional(),
    dueBefore: Timestamp.optional(),
    dueAfter: Timestamp.optional(),
    overdue: z.boolean().optional(),
    q: Text.trim().max(200).optional(),
  })
  .meta({ id: 'ExportFilter', description: 'The task-list filters of GET /tasks, as JSON' })
export type ExportFilter = z.infer<typeof ExportFilter>

const ExportParams = z
  .object({ format: z.enum(['csv', 'json']), filter: ExportFilter })
  .meta({ id: 'ExportParams', description: 'What an export was asked for: its format and the task filters' })
const ImportParams = z
  .object({
    format: z.enum(['tasklane', 'csv']),
    dryRun: z.boolean(),
    filename: z.string().max(255),
    size: z.number().int().min(0).meta({ format: 'int64' }),
  })
  .meta({ id: 'ImportParams', description: 'What an import was given: the format, the dry-run flag and the file' })
const ReportParams = z
  .object({ from: Timestamp, to: Timestamp })
  .meta({ id: 'ReportParams', description: 'The range a report covers' })

export const Job = z
  .object({
    id: Id,
    kind: z.enum(JOB_KINDS),
    teamId: Id,
    projectId: Id.nullable(),
    status: z.enum(JOB_STATUSES),
    params: z.union([ExportParams, ImportParams, ReportParams]).meta({
      description: 'What was asked, by kind: ExportParams, ImportParams or ReportParams',
    }),
    progress: z.object({ done: Count, total: Count }),
    result: z.union([ExportResult, ImportResult]).nullable(),
    error: z.string().max(2000).nullable(),
    createdBy: Id,
    createdAt: Timestamp,
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
    expiresAt: Timestamp,
  })
  .meta({
    id: 'Job',
    description: 'An export, import or report: poll it (or follow job.updated on /events) until done or failed',
  })
export type Job = z.infer<typeof Job>

export const CreateExport = z
  .strictObject({
    teamId: Id,
    projectId: Id.optional(),
    format: z.enum(['csv', 'json']),
    filter: ExportFilter.optional(),
  })
  .meta({
    id: 'CreateExport',
    description: "A team's (or one project's) tasks as CSV, or the team's data as Tasklane JSON",
  })
export type CreateExport = z.infer<typeof CreateExport>

export const CreateReport = z
  .strictObject({ teamId: Id, projectId: Id.optional(), from: Timestamp, to: Timestamp })
  .superRefine((v, ctx) => {
    const span = Date.parse(v.to) - Date.parse(v.from)
    if (span < 0) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' })
    else if (span > 366 * 86_400_000)
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'the range may span at most 366 days' })
  })
  .meta({ id: 'CreateReport', description: "A PDF of the dashboard's figures for a range" })
export type CreateReport = z.infer<typeof CreateReport>

/** The multipart fields of POST /imports, besides the file (documented; the handler reads the stream). */
export const CreateImport = z
  .object({
    teamId: Id,
    format: z.enum(['tasklane', 'csv']),
    dryRun: z.enum(['true', 'false']).optional(),
    file: z
      .string()
      .max(5 * 1024 * 1024 * 1024)
      .meta({
        format: 'binary',
        description: 'The file, last: a Tasklane JSON export or a CSV with the export columns',
      }),
  })
  .meta({ id: 'CreateImport' })

export const JobListQuery = PageQuery.extend({
  teamId: Id.optional().meta({ description: "Only this team's jobs (404 when the caller cannot see it)" }),
})
export type JobListQuery = z.infer<typeof JobListQuery>
