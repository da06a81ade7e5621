/** A coupon code as stored and matched: codes are unique and found whatever the case typed. */
export function normaliseCode(code: string): string {
  return code.trim().toUpperCase()
}
