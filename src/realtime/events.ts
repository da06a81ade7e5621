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

export type OrderLike = OrderEventPayload & Pick<Order, 'customer'>

const idOf = (value: NonNullable<Order['customer']>): number | string =>
  typeof value === 'object' ? value.id : value

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
    // A guest's order has no customer: its room and the admins only.
    const owner =
      order.customer === null || order.customer === undefined ? [] : [`user:${idOf(order.customer)}`]
    io.to([...owner, `order:${order.id}`, 'admins']).emit(name, payload)
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
