/**
 * The fields a JSON Merge Patch (RFC 7396) names: a missing field (undefined) is left alone,
 * while `null` is kept, because it clears the field.
 */
export function named<T extends Record<string, unknown>>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>
}
