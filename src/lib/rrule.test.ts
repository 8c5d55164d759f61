import { describe, expect, it } from 'vitest'
import { formatRRule, nextOccurrence, parseRRule, RRuleError } from './rrule.ts'

const at = (s: string) => new Date(s)
const next = (rule: string, after: string, now: string) =>
  nextOccurrence(parseRRule(rule), at(after), at(now))?.toISOString() ?? null

describe('parseRRule', () => {
  it('reads FREQ, INTERVAL and BYDAY, in any order and case', () => {
    expect(parseRRule('FREQ=DAILY')).toEqual({ freq: 'DAILY', interval: 1, byDay: [] })
    expect(parseRRule('byday=we,mo;interval=2;freq=weekly')).toEqual({
      freq: 'WEEKLY',
      interval: 2,
      byDay: ['WE', 'MO'],
    })
    expect(parseRRule('FREQ=MONTHLY;INTERVAL=999')).toMatchObject({ interval: 999 })
  })

  it.each([
    ['', 'is not KEY=VALUE'],
    ['FREQ=YEARLY', 'FREQ must be'],
    ['FREQ=HOURLY', 'FREQ must be'],
    ['INTERVAL=2', 'FREQ is required'],
    ['FREQ=DAILY;INTERVAL=0', 'INTERVAL'],
    ['FREQ=DAILY;INTERVAL=01', 'INTERVAL'],
    ['FREQ=DAILY;INTERVAL=1000', 'INTERVAL'],
    ['FREQ=DAILY;INTERVAL=-1', 'is not KEY=VALUE'],
    ['FREQ=WEEKLY;BYDAY=XX', 'BYDAY'],
    ['FREQ=WEEKLY;BYDAY=1MO', 'BYDAY'],
    ['FREQ=WEEKLY;BYDAY=MO,MO', 'twice'],
    ['FREQ=WEEKLY;BYDAY=', 'is not KEY=VALUE'],
    ['FREQ=DAILY;FREQ=WEEKLY', 'twice'],
    ['FREQ=DAILY;COUNT=3', 'not supported'],
    ['FREQ=DAILY;UNTIL=20300101T000000Z', 'not supported'],
    ['RRULE:FREQ=DAILY', 'is not KEY=VALUE'],
    ['FREQ=DAILY;', 'is not KEY=VALUE'],
    ['FREQ = DAILY', 'is not KEY=VALUE'],
    [`FREQ=DAILY;${'BYDAY=MO;'.repeat(20)}`, 'at most'],
  ])('rejects %j', (rule, message) => {
    expect(() => parseRRule(rule)).toThrow(RRuleError)
    expect(() => parseRRule(rule)).toThrow(message)
  })
})

describe('formatRRule', () => {
  it('writes the canonical form: FREQ, INTERVAL unless 1, BYDAY in week order', () => {
    expect(formatRRule(parseRRule('freq=daily;interval=1'))).toBe('FREQ=DAILY')
    expect(formatRRule(parseRRule('BYDAY=FR,MO;FREQ=WEEKLY;INTERVAL=3'))).toBe('FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,FR')
  })
})

describe('nextOccurrence', () => {
  it('daily: the next day at the same time', () => {
    expect(next('FREQ=DAILY', '2026-03-10T09:30:00.000Z', '2026-03-10T08:00:00.000Z')).toBe('2026-03-11T09:30:00.000Z')
  })

  it('skips occurrences that are already past: the first one after now', () => {
    expect(next('FREQ=DAILY', '2026-03-01T09:30:00.000Z', '2026-03-10T12:00:00.000Z')).toBe('2026-03-11T09:30:00.000Z')
    expect(next('FREQ=DAILY', '2026-03-01T09:30:00.000Z', '2026-03-10T09:00:00.000Z')).toBe('2026-03-10T09:30:00.000Z')
  })

  it('keeps the series aligned to its interval when it jumps over missed occurrences', () => {
    // every 3 days from Mar 1: Mar 4, 7, 10, 13 … — now is Mar 11
    expect(next('FREQ=DAILY;INTERVAL=3', '2026-03-01T00:00:00.000Z', '2026-03-11T00:00:00.000Z')).toBe(
      '2026-03-13T00:00:00.000Z',
    )
  })

  it('daily with BYDAY: only on those weekdays (weekdays only)', () => {
    // 2026-03-13 is a Friday
    expect(next('FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR', '2026-03-13T08:00:00.000Z', '2026-03-13T09:00:00.000Z')).toBe(
      '2026-03-16T08:00:00.000Z',
    )
  })

  it('weekly: the same weekday a week later, or every INTERVAL weeks', () => {
    expect(next('FREQ=WEEKLY', '2026-03-11T10:00:00.000Z', '2026-03-11T00:00:00.000Z')).toBe('2026-03-18T10:00:00.000Z')
    expect(next('FREQ=WEEKLY;INTERVAL=2', '2026-03-11T10:00:00.000Z', '2026-03-11T00:00:00.000Z')).toBe(
      '2026-03-25T10:00:00.000Z',
    )
  })

  it('weekly with BYDAY: the next listed weekday, this week first', () => {
    // Wednesday 2026-03-11 → Friday 13th, then Monday of the week INTERVAL weeks on
    expect(next('FREQ=WEEKLY;BYDAY=MO,FR', '2026-03-11T10:00:00.000Z', '2026-03-01T00:00:00.000Z')).toBe(
      '2026-03-13T10:00:00.000Z',
    )
    expect(next('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR', '2026-03-13T10:00:00.000Z', '2026-03-01T00:00:00.000Z')).toBe(
      '2026-03-23T10:00:00.000Z',
    )
  })

  it('weekly across a year boundary', () => {
    expect(next('FREQ=WEEKLY;BYDAY=TH', '2026-12-31T07:00:00.000Z', '2026-12-31T00:00:00.000Z')).toBe(
      '2027-01-07T07:00:00.000Z',
    )
  })

  it('monthly: the same day of the month, skipping months without it', () => {
    expect(next('FREQ=MONTHLY', '2026-01-15T12:00:00.000Z', '2026-01-01T00:00:00.000Z')).toBe(
      '2026-02-15T12:00:00.000Z',
    )
    expect(next('FREQ=MONTHLY', '2026-01-31T12:00:00.000Z', '2026-01-01T00:00:00.000Z')).toBe(
      '2026-03-31T12:00:00.000Z',
    )
    expect(next('FREQ=MONTHLY;INTERVAL=12', '2024-02-29T00:00:00.000Z', '2024-01-01T00:00:00.000Z')).toBe(
      '2028-02-29T00:00:00.000Z',
    )
  })

  it('monthly with BYDAY: every such weekday of the month', () => {
    // Mondays of March 2026: 2, 9, 16, 23, 30; of May: 4 …
    expect(next('FREQ=MONTHLY;BYDAY=MO', '2026-03-30T09:00:00.000Z', '2026-03-01T00:00:00.000Z')).toBe(
      '2026-04-06T09:00:00.000Z',
    )
    expect(next('FREQ=MONTHLY;INTERVAL=2;BYDAY=MO', '2026-03-30T09:00:00.000Z', '2026-03-01T00:00:00.000Z')).toBe(
      '2026-05-04T09:00:00.000Z',
    )
  })

  it('from an anchor years in the past, still the first future occurrence', () => {
    expect(next('FREQ=WEEKLY;BYDAY=SU', '2001-01-07T18:00:00.000Z', '2026-03-11T00:00:00.000Z')).toBe(
      '2026-03-15T18:00:00.000Z',
    )
  })

  it('answers null for a rule that can never occur again', () => {
    // every 7 days from a Monday, but only on Tuesdays
    expect(next('FREQ=DAILY;INTERVAL=7;BYDAY=TU', '2026-03-09T00:00:00.000Z', '2026-03-09T00:00:00.000Z')).toBeNull()
  })
})
