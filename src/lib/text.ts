/** No NUL character and no unpaired UTF-16 surrogate: text PostgreSQL can store, as text and in jsonb. */
export const isStorableText = (s: string): boolean => !s.includes('\0') && s.isWellFormed()
