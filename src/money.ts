// Money is an integer count of minor units (cents) of the store currency, everywhere. Every
// rule about amounts lives in this module.

export type Minor = number

/** A valid amount: a whole, non-negative number of minor units within exact integer range. */
export function isMinorUnits(value: unknown): value is Minor {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

/** Payload `validate` for an amount field (required or not). */
export function validateMinorUnits(value: unknown): true | string {
  if (value === null || value === undefined) return true
  return isMinorUnits(value) ? true : 'Must be a whole number of minor units (cents), 0 or more.'
}
