import type { CollectionAfterChangeHook } from 'payload'

import type { Order } from '../../../payload-types'
import { releaseOrder } from '../../../src/checkout/inventory'

/** A cancelled order gives back its stock and its coupon use, once (the status claim ensures it). */
export const releaseOnCancel: CollectionAfterChangeHook<Order> = async ({ doc, previousDoc, req }) => {
  if (doc.status === 'cancelled' && previousDoc?.status && previousDoc.status !== 'cancelled') {
    await releaseOrder(doc, req)
  }
  return doc
}
