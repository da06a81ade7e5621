import type { PayloadRequest } from 'payload'

import type { ShippingMethod } from '../../payload-types'
import { env } from '../config/env'
import { taxedTotals } from '../money'
import type { TaxLine } from '../money'
import { ratesFor } from '../shipping/methods'
import type { Destination } from '../shipping/methods'
import type { PricedCart } from './pricing'

// A priced cart with what its destination adds: the shipping method's price (or the flat fee
// while no method is enabled) and the destination's tax, all computed by src/money.ts.

export type ChargedCart = PricedCart & {
  tax: number
  taxLines: TaxLine[]
  shippingMethod: ShippingMethod | null
}

export type Charges = {
  destination: Destination | null
  /** The chosen method; null: the flat fee (no method enabled) or `shippingUnknown`. */
  method: ShippingMethod | null
  /** A method must be chosen but is not yet (a cart before checkout): shipping counts 0. */
  shippingUnknown?: boolean
}

export async function withCharges(
  req: PayloadRequest,
  priced: PricedCart,
  charges: Charges,
): Promise<ChargedCart> {
  const settings = env()
  const buyable = priced.lines.filter((line) => line.product)
  const coupon =
    priced.coupon && !priced.couponIssue ? { type: priced.coupon.type, value: priced.coupon.value } : null
  const shipping = charges.method
    ? { method: charges.method }
    : { fee: charges.shippingUnknown ? 0 : settings.SHIPPING_FLAT_FEE }
  const rates = await ratesFor(req, charges.destination)
  return {
    ...priced,
    ...taxedTotals(buyable, coupon, shipping, rates, settings.TAX_MODE),
    shippingMethod: charges.method,
  }
}
