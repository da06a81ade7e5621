import type { Payload, PayloadRequest } from 'payload'
import type { Server } from 'socket.io'

import type { Order } from '../../payload-types'
import { afterCommit } from '../db/afterCommit'
import { logger } from '../logger'

/** Rooms clients may join themselves. */
export const PUBLIC_ROOM = /^public:[\w:-]{1,64}$/

const KEY = Symbol.for('store.realtime')
type Holder = { [KEY]?: Server }

/** The process's Socket.IO server, on globalThis so that hooks in any bundle reach the same one. */
export function realtime(): Server | undefined {
  return (globalThis as Holder)[KEY]
}

export function setRealtime(io: Server | undefined): void {
  if (io) (globalThis as Holder)[KEY] = io
  else delete (globalThis as Holder)[KEY]
}

export type OrderEventName = 'order.created' | 'order.updated' | 'order.paid' | 'order.cancelled'

/** What every order event carries (the contract: README "Real-time"). */
export type OrderEventPayload = Pick<Order, 'id' | 'orderNumber' | 'status' | 'paymentStatus' | 'total'>

type OrderLike = OrderEventPayload & Pick<Order, 'customer'>

const idOf = (value: Order['customer']): number | string =>
  typeof value === 'object' && value !== null ? value.id : value

/** Emits once to the owner's room, the order's room and the admins (a socket in several gets it once). */
export function publishOrderEvent(
  _payload: Payload | undefined,
  name: OrderEventName,
  order: OrderLike,
): void {
  const io = realtime()
  if (!io) return
  try {
    const payload: OrderEventPayload = {
      id: order.id,
      orderNumber: order.orderNumber,
      status: order.status,
      paymentStatus: order.paymentStatus,
      total: order.total,
    }
    io.to([`user:${idOf(order.customer)}`, `order:${order.id}`, 'admins']).emit(name, payload)
  } catch (error) {
    logger.warn({ err: error, event: name }, 'realtime: publishing failed')
  }
}

export function publishToAdmins(event: string, data: unknown): void {
  realtime()?.to('admins').emit(event, data)
}

export function broadcast(event: string, data: unknown, room?: string): void {
  const io = realtime()
  if (!io) return
  if (room) io.to(room).emit(event, data)
  else io.emit(event, data)
}

/** Publishes `events` of `order` once the request's transaction (if any) has committed. */
export async function publishOrderEventsAfterCommit(
  req: PayloadRequest,
  events: OrderEventName[],
  order: OrderLike,
): Promise<void> {
  if (events.length === 0) return
  const snapshot = { ...order }
  await afterCommit(req, () => {
    for (const name of events) publishOrderEvent(req.payload, name, snapshot)
  })
}

// One change (an update operation with everything its hooks do, a webhook event, a sweep step)
// can write an order several times: a payment claim, a note, a status move. Its events describe
// the change, not each write: they are derived from the order before its first write and after
// its last one, and carry that last state, published once the change has committed.

type Seen = { before?: OrderLike; after?: OrderLike; created: boolean }
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
export function openOrderChange(req: PayloadRequest): number {
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
export async function closeOrderChange(req: PayloadRequest, level?: number): Promise<void> {
  const change = changes.get(req)
  if (!change) return
  if (level !== undefined) change.depth = level
  if (--change.depth > 0) return
  changes.delete(req)
  for (const seen of change.orders.values()) {
    if (seen.after)
      await publishOrderEventsAfterCommit(req, orderEvents(seen.after, seen.before, seen.created), seen.after)
  }
}

/** A change that failed publishes nothing (its writes were rolled back, or compensated). */
export function dropOrderChange(req: PayloadRequest): void {
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

/** The order as it was before the change's first write to it (later calls keep the first). */
export function noteOrderBefore(req: PayloadRequest, order: OrderLike): void {
  const seen = changes.get(req)?.orders
  const key = String(order.id)
  if (seen && !seen.has(key)) seen.set(key, { before: pick(order), created: false })
}

/**
 * The order as a write of the change left it. Outside a change (a write made directly through
 * the adapter, e.g. checkout's insert) the write is its own change.
 */
export async function noteOrderAfter(
  req: PayloadRequest,
  order: OrderLike,
  options: { before?: OrderLike; created?: boolean } = {},
): Promise<void> {
  const change = changes.get(req)
  if (!change) {
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
  }
  seen.after = pick(order)
  seen.created ||= options.created ?? false
  change.orders.set(key, seen)
}
