import type { components } from './schema'

type S = components['schemas']
export type Task = S['Task']
export type TaskStatus = Task['status']
export type TaskPriority = Task['priority']
export type UpdateTaskInput = S['UpdateTaskInput']
export type Project = S['Project']
export type Team = S['Team']
export type AuthResult = S['AuthResult']
export type TokenPair = S['TokenPair']
export type Problem = S['ProblemDetails']
export type Attachment = S['Attachment']
export type ActivityEntry = S['ActivityEntry']
export type TeamMember = S['TeamMember']
export type DashboardMetrics = S['DashboardMetrics']
export type Job = S['Job']
export type JobKind = Job['kind']
export type ExportParams = S['ExportParams']
export type ImportParams = S['ImportParams']
export type ReportParams = S['ReportParams']
export type ImportResult = S['ImportResult']

export const STATUSES: { value: TaskStatus; label: string }[] = [
  { value: 'todo', label: 'To do' },
  { value: 'in_progress', label: 'In progress' },
  { value: 'done', label: 'Done' },
  { value: 'cancelled', label: 'Cancelled' },
]
export const PRIORITIES: { value: TaskPriority; label: string }[] = [
  { value: 'low', label: 'Low' },
  { value: 'medium', label: 'Medium' },
  { value: 'high', label: 'High' },
  { value: 'urgent', label: 'Urgent' },
]
export const statusLabel = (s: TaskStatus) => STATUSES.find((x) => x.value === s)?.label ?? s
export const priorityLabel = (p: TaskPriority) => PRIORITIES.find((x) => x.value === p)?.label ?? p
