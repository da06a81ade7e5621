import type { PayloadRequest } from 'payload'

import type { Order } from '../../payload-types'
import { afterCommit } from '../db/afterCommit'
import type { DocId } from '../db/ids'
import { queueOrderEmails } from '../email/outbox/queue'
import { sendSoon } from '../email/outbox/sender'
import { emailsFor } from '../email/outbox/triggers'
import { publishOrderEventsAfterCommit } from '../realtime/events'
import type { OrderEventName, OrderLike } from '../realtime/events'

// One change (a move with its effects, a webhook event, a sweep step) can write an order several
// times: a payment claim, a note, a status move. Its events describe the change, not each write:
// they are derived from the order before its first write and after its last one, and carry that
// last state, published once the change has committed. The emails a write calls for are written
// to the outbox with that write (same transaction), and sent once the change has committed.

type Seen = { before?: OrderLike; after?: OrderLike; created: boolean; emails: DocId[] }
type Change = { depth: number; orders: Map<string, Seen> }
const changes = new WeakMap<PayloadRequest, Change>()

/** Which events a change means: creation, a status change, payment, cancellation. */
export function orderEvents(
  after: OrderLike,
  before: OrderLike | undefined,
  created: boolean,
): OrderEventName[] {
  if (created) return ['order.created']
  const events: OrderEventName[] = []
  if (before?.status !== after.status) events.push('order.updated')
  if (after.paymentStatus === 'paid' && before?.paymentStatus !== 'paid') events.push('order.paid')
  if (after.status === 'cancelled' && before?.status !== 'cancelled') events.push('order.cancelled')
  return events
}

const pick = (order: OrderLike): OrderLike => ({
  id: order.id,
  orderNumber: order.orderNumber,
  status: order.status,
  paymentStatus: order.paymentStatus,
  total: order.total,
  customer: order.customer,
})

/** Opens a change on `req`, or joins the one already open; the level it opened. */
function openOrderChange(req: PayloadRequest): number {
  const change = changes.get(req)
  if (change && change.depth > 0) return ++change.depth
  changes.set(req, { depth: 1, orders: new Map() })
  return 1
}

/**
 * Closes one level (`level`: the one a scope opened, so that a nested operation that failed, and
 * so never closed its own, does not keep the change open); the outermost publishes the change's
 * events once its transaction has committed.
 */
async function closeOrderChange(req: PayloadRequest, level?: number): Promise<void> {
  const change = changes.get(req)
  if (!change) return
  if (level !== undefined) change.depth = level
  if (--change.depth > 0) return
  changes.delete(req)
  for (const seen of change.orders.values()) {
    if (seen.after)
      await publishOrderEventsAfterCommit(req, orderEvents(seen.after, seen.before, seen.created), seen.after)
    await sendAfterCommit(req, seen.emails)
  }
}

/** A change that failed publishes nothing (its writes were rolled back, or compensated). */
function dropOrderChange(req: PayloadRequest): void {
  changes.delete(req)
}

/** Runs `work` as one change (joining an open one). */
export async function inOrderChange<T>(req: PayloadRequest, work: () => Promise<T>): Promise<T> {
  const level = openOrderChange(req)
  let result: T
  try {
    result = await work()
  } catch (error) {
    dropOrderChange(req)
    throw error
  }
  await closeOrderChange(req, level)
  return result
}

async function sendAfterCommit(req: PayloadRequest, emails: DocId[]): Promise<void> {
  if (emails.length === 0) return
  const payload = req.payload
  await afterCommit(req, () => sendSoon(payload, emails))
}

/**
 * The order as a write of the change left it; writes the emails that write calls for. Outside a
 * change (a write made directly through the adapter, e.g. checkout's insert) the write is its own
 * change.
 */
export async function noteOrderAfter(
  req: PayloadRequest,
  order: Order,
  options: { before?: Order; created?: boolean } = {},
): Promise<void> {
  const emails = await queueOrderEmails(
    req,
    order.id,
    emailsFor(order, options.before, options.created ?? false),
  )
  const change = changes.get(req)
  if (!change) {
    await sendAfterCommit(req, emails)
    const before = options.before ? pick(options.before) : undefined
    await publishOrderEventsAfterCommit(
      req,
      orderEvents(order, before, options.created ?? false),
      pick(order),
    )
    return
  }
  const key = String(order.id)
  const seen = change.orders.get(key) ?? {
    before: options.before ? pick(options.before) : undefined,
    created: false,
    emails: [],
  }
  seen.emails.push(...emails)
  seen.after = pick(order)
  seen.created ||= options.created ?? false
  change.orders.set(key, seen)
}
