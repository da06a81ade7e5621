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

export type CouponTerms = { type: 'percent' | 'fixed'; value: number }

/**
 * The discount a coupon gives on a subtotal: a percentage rounds to the nearest cent (halves
 * up), a fixed amount is taken as is; never more than the subtotal, never negative.
 */
export function couponDiscount(terms: CouponTerms, subtotal: Minor): Minor {
  const raw = terms.type === 'percent' ? Math.round((subtotal * terms.value) / 100) : terms.value
  return Math.min(Math.max(raw, 0), subtotal)
}

export type PricedLine = { unitPrice: Minor; quantity: number; lineTotal: Minor }

export type Totals = { subtotal: Minor; discount: Minor; shipping: Minor; total: Minor }

export function lineTotal(unitPrice: Minor, quantity: number): Minor {
  return unitPrice * quantity
}

/** The one way an order or cart total is computed: subtotal − discount + shipping. */
export function totals(lines: PricedLine[], coupon: CouponTerms | null, shippingFee: Minor): Totals {
  const subtotal = lines.reduce((sum, line) => sum + line.lineTotal, 0)
  const discount = coupon ? couponDiscount(coupon, subtotal) : 0
  const shipping = lines.length > 0 ? shippingFee : 0
  return { subtotal, discount, shipping, total: subtotal - discount + shipping }
}

/** Digits after the decimal point of `currency` (2 for usd and eur, 0 for jpy), as Intl knows them. */
function minorDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  )
}

/** An amount for people to read, in the store currency: `formatMoney(123456, 'usd')` → "$1,234.56". */
export function formatMoney(amount: Minor, currency: string): string {
  const digits = minorDigits(currency)
  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(amount / 10 ** digits)
}
