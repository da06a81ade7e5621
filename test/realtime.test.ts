import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { commitTransaction, createLocalReq, initTransaction, killTransaction } from 'payload'
import { io } from 'socket.io-client'
import type { Socket } from 'socket.io-client'

import { create, product } from './helpers/catalog'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { startInstance } from './helpers/store/instance'
import type { Instance } from './helpers/store/instance'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { PrivateRedis, available, describeIf, freePort } from './helpers/services'
import { ADDRESS, addToCart, checkoutCod } from './helpers/shop'
import type { OrderView } from './helpers/shop'
import { StripeDouble } from './helpers/stripeDouble'
import { customersViaLocalApi, firstAdmin } from './helpers/users'
import type { Account } from './helpers/users'
import type { OrderEventPayload } from '../src/realtime/events'

// Socket.IO on the API's port: order events reach exactly the right sockets (order.paid from the
// Stripe webhook included), a rolled-back change publishes nothing. With a redis-server binary the
// server runs on the Redis adapter, and a second instance (another process) must see the same events.

const hasRedis = available('redis-server')
const LOW = 3
const SECRET = 'whsec_test_secret_0123456789'

let double: StripeDouble
let redisServer: PrivateRedis | undefined
let server: TestServer
let api: Api
let admin: Account
let alice: Account
let bob: Account
const sockets: Socket[] = []

beforeAll(async () => {
  if (hasRedis) {
    redisServer = new PrivateRedis(await freePort())
    await redisServer.start()
  }
  double = await new StripeDouble().start()
  server = await startTestServer({
    ...double.storeEnv(SECRET),
    LOW_STOCK_THRESHOLD: String(LOW),
    REDIS_URL: redisServer?.url,
  })
  api = client(server.url)
  admin = await firstAdmin(api)
  ;[alice, bob] = (await customersViaLocalApi(server.payload, api, 2, 'rt')) as [Account, Account]
}, 90_000)

afterAll(async () => {
  for (const socket of sockets) socket.disconnect()
  await server?.stop()
  await redisServer?.stop()
  await double?.stop()
})

function open(token: string | undefined, url = server.url): Socket {
  const socket = io(url, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  })
  sockets.push(socket)
  return socket
}

function connect(token: string, url?: string): Promise<Socket> {
  const socket = open(token, url)
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', reject)
  })
}

function refusal(token: string | undefined): Promise<string> {
  const socket = open(token)
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('connected')))
    socket.once('connect_error', (error) => resolve(error.message))
  })
}

/** Everything a socket receives under `event` from now on. */
function record<T>(socket: Socket, event: string): T[] {
  const seen: T[] = []
  socket.on(event, (data: T) => seen.push(data))
  return seen
}

function next<T>(socket: Socket, event: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs)
    socket.once(event, (data: T) => {
      clearTimeout(timer)
      resolve(data)
    })
  })
}

const ask = (socket: Socket, event: string, body: unknown): Promise<{ ok?: true; error?: string }> =>
  socket.timeout(5000).emitWithAck(event, body)
const quiet = (ms = 500) => new Promise((resolve) => setTimeout(resolve, ms))

async function buy(account: Account, stock = 10, quantity = 1) {
  const item = await create(api, admin.token, 'products', product({ stock }))
  expect((await addToCart(api, account.token, item.id, quantity)).status).toBe(200)
  const res = await checkoutCod(api, account.token)
  expect(res.status).toBe(201)
  return { order: res.body.order, product: item }
}

describe('handshake', () => {
  it('refuses no token, a bad token and the token of a deleted user', async () => {
    expect(await refusal(undefined)).toBe('unauthorized')
    expect(await refusal('not-a-token')).toBe('unauthorized')
    expect(await refusal(`${alice.token.slice(0, -2)}xx`)).toBe('unauthorized')
    const [gone] = (await customersViaLocalApi(server.payload, api, 1, 'gone')) as [Account]
    await server.payload.delete({ collection: 'users', id: gone.id })
    expect(await refusal(gone.token)).toBe('unauthorized')
  })

  it('accepts the payload-token cookie', async () => {
    const socket = io(server.url, {
      transports: ['polling'],
      extraHeaders: { cookie: `payload-token=${alice.token}` },
      reconnection: false,
      forceNew: true,
    })
    sockets.push(socket)
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve())
      socket.once('connect_error', reject)
    })
    socket.disconnect()
  })
})

describe('order events', () => {
  let aliceSocket: Socket
  let bobSocket: Socket
  let adminSocket: Socket

  beforeAll(async () => {
    ;[aliceSocket, bobSocket, adminSocket] = await Promise.all([
      connect(alice.token),
      connect(bob.token),
      connect(admin.token),
    ])
  })

  it('tells the customer of their own order, not another customer, and the admins', async () => {
    const aliceSeen = record<OrderEventPayload>(aliceSocket, 'order.created')
    const bobSeen = record<OrderEventPayload>(bobSocket, 'order.created')
    const adminSeen = record<OrderEventPayload>(adminSocket, 'order.created')
    const { order } = await buy(alice)
    await quiet()
    const expected = {
      id: order.id,
      orderNumber: order.orderNumber,
      status: 'pending',
      paymentStatus: 'unpaid',
      total: order.total,
    }
    expect(aliceSeen).toEqual([expected])
    expect(adminSeen).toEqual([expected])
    expect(bobSeen).toEqual([])
  })

  it('order:subscribe: own order yes, someone else’s no, junk never throws', async () => {
    const { order } = await buy(alice)
    expect(await ask(aliceSocket, 'order:subscribe', { orderId: order.id })).toEqual({ ok: true })
    expect(await ask(bobSocket, 'order:subscribe', { orderId: order.id })).toEqual({ error: 'not found' })
    expect(await ask(adminSocket, 'order:subscribe', { orderId: order.id })).toEqual({ ok: true })
    expect(await ask(bobSocket, 'order:subscribe', { orderId: 'x; drop' })).toEqual({ error: 'not found' })
    expect(await ask(bobSocket, 'order:subscribe', 'nonsense')).toEqual({ error: 'bad request' })
    bobSocket.emit('order:subscribe', { orderId: order.id }) // no ack: ignored
    expect(bobSocket.connected).toBe(true)
  })

  it('a status change reaches the owner as order.updated, a cancellation as order.cancelled', async () => {
    const { order } = await buy(alice)
    const updated = next<OrderEventPayload>(aliceSocket, 'order.updated')
    const adminUpdated = next<OrderEventPayload>(adminSocket, 'order.updated')
    const bobSeen = record<OrderEventPayload>(bobSocket, 'order.updated')
    const res = await api(`/api/orders/${order.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { status: 'processing' },
    })
    expect(res.status).toBe(200)
    expect(await updated).toMatchObject({ id: order.id, status: 'processing' })
    expect(await adminUpdated).toMatchObject({ id: order.id, status: 'processing' })

    const cancelled = next<OrderEventPayload>(aliceSocket, 'order.cancelled')
    expect((await api(`/api/orders/${order.id}/cancel`, { method: 'POST', token: alice.token })).status).toBe(
      200,
    )
    expect(await cancelled).toMatchObject({ id: order.id, status: 'cancelled' })
    await quiet(200)
    expect(bobSeen).toEqual([])
  })

  it('a failed checkout (out of stock) emits nothing', async () => {
    const item = await create(api, admin.token, 'products', product({ stock: 1 }))
    expect((await addToCart(api, alice.token, item.id, 1)).status).toBe(200)
    await server.payload.update({ collection: 'products', id: item.id, data: { stock: 0 } })
    const events = ['order.created', 'order.updated', 'order.cancelled', 'product.low_stock']
    const seen: unknown[] = []
    for (const socket of [aliceSocket, adminSocket])
      for (const event of events) socket.on(event, (data: unknown) => seen.push(data))
    const res = await checkoutCod(api, alice.token)
    expect(res.status).toBe(409)
    await quiet()
    for (const socket of [aliceSocket, adminSocket]) for (const event of events) socket.off(event)
    expect(seen).toEqual([])
    await api('/api/carts/mine', { method: 'DELETE', token: alice.token })
    await server.payload.update({
      collection: 'carts',
      where: { customer: { equals: alice.id } },
      data: { items: [] },
    })
  })

  it('product.low_stock reaches the admins only', async () => {
    const adminSeen = record<{ id: number | string; title: string; stock: number }>(
      adminSocket,
      'product.low_stock',
    )
    const aliceSeen = record(aliceSocket, 'product.low_stock')
    const { product: item } = await buy(alice, LOW + 1, 2)
    await quiet()
    expect(adminSeen).toEqual([{ id: item.id, title: item.title, stock: LOW - 1 }])
    expect(aliceSeen).toEqual([])
    adminSocket.off('product.low_stock')
    aliceSocket.off('product.low_stock')
  })
})

describe('order.paid from the Stripe webhook', () => {
  it('reaches the owner (user room and order room, once each socket), the admins, and nobody else', async () => {
    const item = await create(api, admin.token, 'products', product({ price: 2500, stock: 10 }))
    await addToCart(api, alice.token, item.id, 1)
    const res = await api<{ order: OrderView & { payment?: { stripeSessionId?: string } } }>(
      '/api/checkout',
      {
        token: alice.token,
        json: { paymentMethod: 'card', shippingAddress: ADDRESS },
      },
    )
    expect(res.status).toBe(201)
    const order = res.body.order

    const [owner, ownerInRoom, adminSocket, other] = await Promise.all([
      connect(alice.token),
      connect(alice.token),
      connect(admin.token),
      connect(bob.token),
    ])
    expect(await ownerInRoom.timeout(5000).emitWithAck('order:subscribe', { orderId: order.id })).toEqual({
      ok: true,
    })
    const seen = [owner, ownerInRoom, adminSocket, other].map((socket) =>
      record<OrderEventPayload>(socket, 'order.paid'),
    )

    const session = double.complete(order.payment?.stripeSessionId ?? '')
    const event = double.event('checkout.session.completed', session)
    const deliver = () => {
      const { body, signature } = double.signedPayload(event, SECRET)
      return api<{ outcome: string }>('/api/stripe/webhook', {
        method: 'POST',
        body,
        headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature },
      })
    }
    const first = await deliver()
    expect(first.status).toBe(200)
    expect(first.body.outcome).toBe('applied')
    // A redelivery changes nothing, so it announces nothing.
    expect((await deliver()).body.outcome).toBe('duplicate')
    await quiet()

    const expected = {
      id: order.id,
      orderNumber: order.orderNumber,
      // The order as the payment committed it (issue 13: this said "pending").
      status: 'processing',
      paymentStatus: 'paid',
      total: order.total,
    }
    const [ownerSeen, roomSeen, adminSeen, otherSeen] = seen
    expect(ownerSeen).toEqual([expected])
    expect(roomSeen).toEqual([expected])
    expect(adminSeen).toEqual([expected])
    expect(otherSeen).toEqual([])
    for (const socket of [owner, ownerInRoom, adminSocket, other]) socket.disconnect()
  })
})

// Rollback needs a transaction: SQLite runs without them here (README), so this is a
// PostgreSQL (and MongoDB) test; CI runs the suite on PostgreSQL too.
const withTransactions = /^(postgres|mongodb)/.test(process.env.TEST_DATABASE_URI ?? '')
;(withTransactions ? describe : describe.skip)('a rolled-back change', () => {
  it('publishes nothing; the same change committed publishes once', async () => {
    const item = await create(api, admin.token, 'products', product({ stock: 10 }))
    await addToCart(api, alice.token, item.id, 1)
    const placed = await checkoutCod(api, alice.token)
    expect(placed.status).toBe(201)
    const orderId = placed.body.order.id
    const socket = await connect(alice.token)
    const seen = record<OrderEventPayload>(socket, 'order.updated')

    const change = async (finish: 'commit' | 'rollback') => {
      const req = await createLocalReq({}, server.payload)
      expect(await initTransaction(req)).toBe(true)
      await server.payload.update({ collection: 'orders', id: orderId, data: { status: 'processing' }, req })
      if (finish === 'commit') await commitTransaction(req)
      else await killTransaction(req)
    }
    await change('rollback')
    await quiet()
    expect(seen).toEqual([])
    expect((await server.payload.findByID({ collection: 'orders', id: orderId })).status).toBe('pending')

    await change('commit')
    await quiet()
    expect(seen).toEqual([expect.objectContaining({ id: orderId, status: 'processing' })])
    socket.disconnect()
  })
})

describe('rooms and broadcasts', () => {
  it('public rooms: join/leave acked, other names refused', async () => {
    const socket = await connect(bob.token)
    expect(await ask(socket, 'room:join', { room: 'public:deals' })).toEqual({ ok: true })
    expect(await ask(socket, 'room:leave', { room: 'public:deals' })).toEqual({ ok: true })
    expect((await ask(socket, 'room:join', { room: 'admins' })).error).toBeDefined()
    expect((await ask(socket, 'room:join', { room: `user:${alice.id}` })).error).toBeDefined()
    expect((await ask(socket, 'room:join', {})).error).toBeDefined()
    expect((await ask(socket, 'room:join', null)).error).toBeDefined()
    socket.disconnect()
  })

  it('broadcast: admins only; to everyone, or to one room', async () => {
    const broadcast = (json: unknown, token?: string) =>
      api<{ delivered: boolean }>('/api/notifications/broadcast', { json, token })
    expect((await broadcast({ message: 'hi' })).status).toBe(401)
    expect((await broadcast({ message: 'hi' }, alice.token)).status).toBe(403)
    expect((await broadcast({ message: '' }, admin.token)).status).toBe(400)
    expect((await broadcast({ message: 'hi', room: 'admins' }, admin.token)).status).toBe(400)

    const [inRoom, outside] = await Promise.all([connect(alice.token), connect(bob.token)])
    expect(await ask(inRoom, 'room:join', { room: 'public:flash-sale' })).toEqual({ ok: true })
    const everyone = [
      next<{ message: string; at: string }>(inRoom, 'notification'),
      next(outside, 'notification'),
    ]
    const res = await broadcast({ message: 'Store opens at 9' }, admin.token)
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ delivered: true })
    const [first] = await Promise.all(everyone)
    expect(first).toEqual({ message: 'Store opens at 9', at: expect.any(String) })

    const roomSeen = record<{ message: string }>(inRoom, 'notification')
    const outsideSeen = record(outside, 'notification')
    expect((await broadcast({ message: 'Room only', room: 'public:flash-sale' }, admin.token)).status).toBe(
      200,
    )
    await quiet()
    expect(roomSeen.map((entry) => entry.message)).toEqual(['Room only'])
    expect(outsideSeen).toEqual([])
    inRoom.disconnect()
    outside.disconnect()
  })

  it('rate limits a chatty socket', async () => {
    const socket = await connect(bob.token)
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => ask(socket, 'room:join', { room: 'public:spam' })),
    )
    expect(answers.filter((answer) => answer.error === 'rate limited').length).toBeGreaterThan(0)
    expect(answers.filter((answer) => answer.ok).length).toBeGreaterThan(0)
    socket.disconnect()
  })
})

describeIf(hasRedis, 'redis-server')('across instances (Redis adapter)', () => {
  let second: Instance | undefined

  beforeAll(async () => {
    second = await startInstance({
      DATABASE_URI: process.env.DATABASE_URI ?? '',
      PAYLOAD_SECRET: process.env.PAYLOAD_SECRET ?? '',
      REDIS_URL: redisServer?.url ?? '',
      LOG_LEVEL: 'warn',
    })
  }, 90_000)

  afterAll(async () => {
    await second?.stop()
  })

  it('a socket on instance B hears of a checkout made through instance A', async () => {
    const socket = await connect(alice.token, second!.url)
    const created = next<OrderEventPayload>(socket, 'order.created', 10_000)
    const { order } = await buy(alice)
    expect(await created).toMatchObject({ id: order.id, orderNumber: order.orderNumber })
    socket.disconnect()
  })
})
