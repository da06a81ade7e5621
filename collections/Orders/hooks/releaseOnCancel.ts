import type { CollectionAfterChangeHook } from 'payload'

import type { Order } from '../../../payload-types'
import { returnOrderStock } from '../../../src/checkout/inventory'
import { returnCouponUses } from '../../../src/coupons/redemption'
import { settleCancelledCardOrder } from '../../../src/payments/orderPayments'

/**
 * A cancelled order gives back its stock and its coupon use, and a card order its money (or its
 * open Checkout Session), once: the status claim in applyStatusChange lets only one cancellation
 * through.
 */
export const releaseOnCancel: CollectionAfterChangeHook<Order> = async ({ doc, previousDoc, req }) => {
  if (doc.status === 'cancelled' && previousDoc?.status && previousDoc.status !== 'cancelled') {
    await returnOrderStock(req, doc)
    await returnCouponUses(req, doc)
    await settleCancelledCardOrder(req, doc)
  }
  return doc
}
