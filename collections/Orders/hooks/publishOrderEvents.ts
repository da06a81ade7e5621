import type { CollectionAfterChangeHook } from 'payload'

import type { Order } from '../../../payload-types'
import { publishOrderEventsAfterCommit, takePaymentClaim } from '../../../src/realtime/events'
import type { OrderEventName } from '../../../src/realtime/events'

/** Which events a write means: creation, any status change, payment, cancellation. */
export function orderEvents(doc: Order, previousDoc: Order | undefined, created: boolean): OrderEventName[] {
  if (created) return ['order.created']
  const events: OrderEventName[] = []
  if (previousDoc?.status !== doc.status) events.push('order.updated')
  if (doc.paymentStatus === 'paid' && previousDoc?.paymentStatus !== 'paid') events.push('order.paid')
  if (doc.status === 'cancelled' && previousDoc?.status !== 'cancelled') events.push('order.cancelled')
  return events
}

/** Real-time order events, sent after the transaction commits (or at once without one). */
export const publishOrderEvents: CollectionAfterChangeHook<Order> = async ({
  doc,
  previousDoc,
  operation,
  req,
}) => {
  const paymentWas = takePaymentClaim(req.context, doc.id)
  const before = previousDoc && paymentWas ? { ...previousDoc, paymentStatus: paymentWas } : previousDoc
  await publishOrderEventsAfterCommit(req, orderEvents(doc, before, operation === 'create'), doc)
  return doc
}
