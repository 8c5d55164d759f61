/**
 * The RFC 5545 RRULE subset tasks recur by: `FREQ=DAILY|WEEKLY|MONTHLY`, optional `INTERVAL=n`
 * (1..999) and optional `BYDAY=MO,TU,…` (plain weekdays, no ordinals like `1MO`). Times are UTC:
 * every occurrence keeps the time of day of the series' anchor (the task's previous `dueAt`).
 */

const FREQUENCIES = ['DAILY', 'WEEKLY', 'MONTHLY'] as const
const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const
type Frequency = (typeof FREQUENCIES)[number]
type Weekday = (typeof WEEKDAYS)[number]

export interface RRule {
  freq: Frequency
  interval: number
  /** empty: the anchor's own weekday (weekly) or day of month (monthly); every day (daily) */
  byDay: Weekday[]
}

const MAX_INTERVAL = 999
export const MAX_RULE_LENGTH = 100

export class RRuleError extends Error {}

const DAY_MS = 86_400_000

/** Parses a rule strictly (keys and values case-insensitive, as RFC 5545 says); throws RRuleError. */
export function parseRRule(text: string): RRule {
  if (text.length > MAX_RULE_LENGTH) throw new RRuleError(`must be at most ${MAX_RULE_LENGTH} characters`)
  const seen = new Map<string, string>()
  for (const part of text.toUpperCase().split(';')) {
    const match = /^([A-Z]+)=([A-Z0-9,]+)$/.exec(part)
    if (!match) throw new RRuleError(`"${part}" is not KEY=VALUE`)
    const [, key, value] = match as unknown as [string, string, string]
    if (!['FREQ', 'INTERVAL', 'BYDAY'].includes(key)) {
      throw new RRuleError(`${key} is not supported (only FREQ, INTERVAL and BYDAY)`)
    }
    if (seen.has(key)) throw new RRuleError(`${key} is given twice`)
    seen.set(key, value)
  }
  const freq = seen.get('FREQ')
  if (!freq) throw new RRuleError('FREQ is required')
  if (!(FREQUENCIES as readonly string[]).includes(freq)) throw new RRuleError('FREQ must be DAILY, WEEKLY or MONTHLY')
  const intervalText = seen.get('INTERVAL') ?? '1'
  if (!/^[1-9][0-9]{0,2}$/.test(intervalText)) throw new RRuleError(`INTERVAL must be an integer 1..${MAX_INTERVAL}`)
  const byDay = seen.has('BYDAY') ? seen.get('BYDAY')!.split(',') : []
  for (const day of byDay) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) throw new RRuleError(`BYDAY "${day}" must be one of MO..SU`)
  }
  if (new Set(byDay).size !== byDay.length) throw new RRuleError('BYDAY lists a day twice')
  return { freq: freq as Frequency, interval: Number(intervalText), byDay: byDay as Weekday[] }
}

/** The canonical text of a rule: FREQ, then INTERVAL when not 1, then BYDAY in week order. */
export function formatRRule(rule: RRule): string {
  const parts = [`FREQ=${rule.freq}`]
  if (rule.interval !== 1) parts.push(`INTERVAL=${rule.interval}`)
  if (rule.byDay.length) parts.push(`BYDAY=${WEEKDAYS.filter((d) => rule.byDay.includes(d)).join(',')}`)
  return parts.join(';')
}

// Monday = 0 … Sunday = 6, as BYDAY and ISO weeks count
const weekdayOf = (ms: number) => (new Date(ms).getUTCDay() + 6) % 7
const startOfDay = (ms: number) => ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS)
const startOfWeek = (ms: number) => startOfDay(ms) - weekdayOf(ms) * DAY_MS
const monthIndex = (d: Date) => d.getUTCFullYear() * 12 + d.getUTCMonth()

/** Occurrences of one period (a day, a week or a month) of the series, in time order. */
function occurrencesIn(rule: RRule, anchor: Date, period: number): number[] {
  const a = anchor.getTime()
  const timeOfDay = a - startOfDay(a)
  const days = new Set((rule.byDay.length ? rule.byDay : []).map((d) => WEEKDAYS.indexOf(d)))
  if (rule.freq === 'DAILY') {
    const t = startOfDay(a) + period * DAY_MS + timeOfDay
    return days.size === 0 || days.has(weekdayOf(t)) ? [t] : []
  }
  if (rule.freq === 'WEEKLY') {
    const week = startOfWeek(a) + period * 7 * DAY_MS
    const wanted = days.size ? [...days].sort() : [weekdayOf(a)]
    return wanted.map((d) => week + d * DAY_MS + timeOfDay)
  }
  const m = monthIndex(anchor) + period
  const year = Math.floor(m / 12)
  const month = m % 12
  const length = new Date(Date.UTC(year, month + 1, 0)).getUTCDate()
  const first = Date.UTC(year, month, 1)
  if (days.size === 0) {
    // a month without the anchor's day (the 31st in April) has no occurrence, as RFC 5545 says
    const day = anchor.getUTCDate()
    return day <= length ? [first + (day - 1) * DAY_MS + timeOfDay] : []
  }
  const out: number[] = []
  for (let d = 0; d < length; d++) {
    const t = first + d * DAY_MS + timeOfDay
    if (days.has(weekdayOf(t))) out.push(t)
  }
  return out
}

/** The period (days, weeks or months since the anchor's) that contains the instant `ms`. */
function periodOf(rule: RRule, anchor: Date, ms: number): number {
  const a = anchor.getTime()
  if (rule.freq === 'DAILY') return Math.floor((startOfDay(ms) - startOfDay(a)) / DAY_MS)
  if (rule.freq === 'WEEKLY') return Math.floor((startOfWeek(ms) - startOfWeek(a)) / (7 * DAY_MS))
  return monthIndex(new Date(ms)) - monthIndex(anchor)
}

// enough periods to pass every weekday/month-length pattern; a rule that matches nothing in them never will
const MAX_PERIODS = 400

/**
 * The first occurrence of the series anchored at `after` (its DTSTART) that is later than `after`
 * and later than `now`, or null when the rule can never produce one (e.g. DAILY;INTERVAL=7 on a
 * weekday the anchor is not).
 */
export function nextOccurrence(rule: RRule, after: Date, now: Date): Date | null {
  const threshold = Math.max(after.getTime(), now.getTime())
  // jump to the interval-aligned period holding the threshold instead of walking from an old anchor
  const start = Math.max(0, Math.floor(periodOf(rule, after, threshold) / rule.interval)) * rule.interval
  for (let i = 0, period = start; i < MAX_PERIODS; i++, period += rule.interval) {
    for (const t of occurrencesIn(rule, after, period)) if (t > threshold) return new Date(t)
  }
  return null
}
