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

// Shipping and tax. Rates are basis points (2000 = 20 %). Rounding: each amount is rounded once,
// half up, to the minor unit, per line (after its share of the discount) and for shipping; an
// order's tax is the sum of those rounded amounts, so it always equals the sum of its taxLines.

export type TaxMode = 'exclusive' | 'inclusive'
export type TaxRateTerms = { name: string; rate: number; appliesToShipping: boolean }
export type TaxLine = { name: string; rate: number; amount: Minor }

/** `numerator / denominator` rounded half up (both non-negative integers). */
function divideHalfUp(numerator: number, denominator: number): Minor {
  return Math.floor((2 * numerator + denominator) / (2 * denominator))
}

/** What a shipping method costs for a subtotal (after discount): free at or above `freeAbove`. */
export function shippingPrice(
  method: { price: Minor; freeAbove?: Minor | null },
  subtotalAfterDiscount: Minor,
): Minor {
  return method.freeAbove !== null &&
    method.freeAbove !== undefined &&
    subtotalAfterDiscount >= method.freeAbove
    ? 0
    : method.price
}

/**
 * The discount shared out over the lines in proportion to their totals, each share rounded down
 * and the cents left over given to the lines with the largest remainders (earlier lines first on
 * a tie), so the shares add up to the discount exactly.
 */
export function allocateDiscount(lineTotals: Minor[], discount: Minor): Minor[] {
  const subtotal = lineTotals.reduce((sum, amount) => sum + amount, 0)
  if (subtotal === 0 || discount === 0) return lineTotals.map(() => 0)
  const exact = lineTotals.map((amount) => (amount * discount) / subtotal)
  const shares = exact.map(Math.floor)
  let left = discount - shares.reduce((sum, share) => sum + share, 0)
  const order = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index)
  for (const { index } of order) {
    if (left <= 0) break
    shares[index] = (shares[index] ?? 0) + 1
    left--
  }
  return shares
}

/**
 * The tax in an amount: exclusive, `amount × rate` on top of it; inclusive, the part of `amount`
 * that is tax, `amount × rate / (1 + rate)`. Half up to the minor unit.
 */
export function taxOn(amount: Minor, rate: number, mode: TaxMode): Minor {
  return mode === 'exclusive'
    ? divideHalfUp(amount * rate, 10_000)
    : divideHalfUp(amount * rate, 10_000 + rate)
}

/** Tax per rate over lines (after discount) and shipping; each line rounded on its own. */
export function taxLines(
  lineTotals: Minor[],
  discount: Minor,
  shipping: Minor,
  rates: TaxRateTerms[],
  mode: TaxMode,
): TaxLine[] {
  const shares = allocateDiscount(lineTotals, discount)
  const taxable = lineTotals.map((amount, index) => amount - (shares[index] ?? 0))
  return rates.map((rate) => ({
    name: rate.name,
    rate: rate.rate,
    amount:
      taxable.reduce((sum, amount) => sum + taxOn(amount, rate.rate, mode), 0) +
      (rate.appliesToShipping ? taxOn(shipping, rate.rate, mode) : 0),
  }))
}

export type TaxedTotals = Totals & { tax: Minor; taxLines: TaxLine[] }

/**
 * Totals with shipping and tax: exclusive, the tax is added to the total; inclusive, prices
 * already hold it and it is only shown.
 */
export function taxedTotals(
  lines: PricedLine[],
  coupon: CouponTerms | null,
  shipping: { fee: Minor } | { method: { price: Minor; freeAbove?: Minor | null } },
  rates: TaxRateTerms[],
  mode: TaxMode,
): TaxedTotals {
  const base = totals(lines, coupon, 0)
  const fee = 'fee' in shipping ? shipping.fee : shippingPrice(shipping.method, base.subtotal - base.discount)
  const shippingCharged = lines.length > 0 ? fee : 0
  const taxed =
    lines.length > 0
      ? taxLines(
          lines.map((line) => line.lineTotal),
          base.discount,
          shippingCharged,
          rates,
          mode,
        )
      : []
  const tax = taxed.reduce((sum, line) => sum + line.amount, 0)
  const beforeTax = base.subtotal - base.discount + shippingCharged
  return {
    ...base,
    shipping: shippingCharged,
    tax,
    taxLines: taxed,
    total: mode === 'exclusive' ? beforeTax + tax : beforeTax,
  }
}
