import type { CollectionAfterChangeHook } from 'payload'

import type { Order } from '../../../payload-types'
import { afterCommit, publishOrderEvent, takePaymentClaim } from '../../../src/realtime/events'
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
  const events = orderEvents(doc, before, operation === 'create')
  if (events.length === 0) return doc
  const snapshot = { ...doc }
  // A promise (of null, without transactions) may come from another realm: no instanceof.
  const transaction: unknown = await req.transactionID
  const key = typeof transaction === 'string' || typeof transaction === 'number' ? transaction : undefined
  afterCommit(key, () => {
    for (const name of events) publishOrderEvent(req.payload, name, snapshot)
  })
  return doc
}
