import type { CollectionBeforeChangeHook } from 'payload'

import type { Order } from '../../../payload-types'
import { transition } from '../../../src/orders/lifecycle'
import { reloadOrder } from '../../../src/orders/payment'

/**
 * An admin's update of an order (the admin UI, REST, GraphQL) can only change its status: that is
 * a move of the lifecycle (src/orders/lifecycle.ts), made before Payload writes the document.
 * Payload then writes the whole document, so it is given the lifecycle fields as they are now
 * (the move, its refund; a payment recorded meanwhile), not as they were read before.
 */
export const moveThroughLifecycle: CollectionBeforeChangeHook<Order> = async ({
  data,
  operation,
  originalDoc,
  req,
}) => {
  if (operation !== 'update' || !originalDoc) return data
  const to = data.status
  const current =
    to !== undefined && to !== originalDoc.status
      ? await transition(req, originalDoc, to, { actor: 'admin' })
      : await reloadOrder(req, originalDoc.id)
  return {
    ...data,
    status: current.status,
    paymentStatus: current.paymentStatus,
    amountRefunded: current.amountRefunded,
    payment: current.payment,
    statusHistory: current.statusHistory,
  }
}
