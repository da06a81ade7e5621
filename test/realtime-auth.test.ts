import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { SignJWT, decodeJwt } from 'jose'
import { jwtSign } from 'payload'
import { io } from 'socket.io-client'
import type { Socket } from 'socket.io-client'

import { create, product } from './helpers/catalog'
import { startInstance } from './helpers/store/instance'
import type { Instance } from './helpers/store/instance'
import { PrivateRedis, available, describeIf, freePort } from './helpers/services'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { addToCart, checkoutCod } from './helpers/shop'
import type { OrderView } from './helpers/shop'
import { customersViaLocalApi, firstAdmin, login, uniqueEmail } from './helpers/users'
import type { Account } from './helpers/users'
import type { OrderEventPayload } from '../src/realtime/events'

// The handshake checks a token as Payload does (and refuses locked accounts); a connected socket
// keeps only the rights its user still has, on one instance and across instances.

let server: TestServer
let api: Api
let admin: Account
let alice: Account
const sockets: Socket[] = []

beforeAll(async () => {
  server = await startTestServer({
    // The failed logins below must meet the account lock, not a per-IP limit.
    RATE_LIMIT_AUTH_MAX: '10000',
  })
  api = client(server.url)
  admin = await firstAdmin(api)
  ;[alice] = (await customersViaLocalApi(server.payload, api, 1, 'rta')) as [Account]
}, 90_000)

afterAll(async () => {
  for (const socket of sockets) socket.disconnect()
  await server?.stop()
})

function open(token: string, url = server.url): Socket {
  const socket = io(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  })
  sockets.push(socket)
  return socket
}

/** 'connected', or the connect_error message. */
function handshake(token: string): Promise<string> {
  const socket = open(token)
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.disconnect()
      resolve('connected')
    })
    socket.once('connect_error', (error) => resolve(error.message))
  })
}

function connect(token: string, url?: string): Promise<Socket> {
  const socket = open(token, url)
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', reject)
  })
}

function record<T>(socket: Socket, event: string): T[] {
  const seen: T[] = []
  socket.on(event, (data: T) => seen.push(data))
  return seen
}

const quiet = (ms = 500) => new Promise((resolve) => setTimeout(resolve, ms))
const ask = (socket: Socket, event: string, body: unknown): Promise<{ ok?: true; error?: string }> =>
  socket.timeout(5000).emitWithAck(event, body)

/** A token's claims without its timestamps. */
function claimsOf(token: string): Record<string, unknown> {
  const claims: Record<string, unknown> = decodeJwt(token)
  delete claims.iat
  delete claims.exp
  return claims
}

/** The claims of a real token, re-signed with Payload's own signer (so only what is changed differs). */
async function resign(
  token: string,
  change: Record<string, unknown>,
  tokenExpiration = 600,
): Promise<string> {
  const fieldsToSign = Object.fromEntries(
    Object.entries({ ...claimsOf(token), ...change }).filter(([, value]) => value !== undefined),
  )
  return (await jwtSign({ fieldsToSign, secret: server.payload.secret, tokenExpiration })).token
}

describe('handshake refuses what Payload would refuse', () => {
  it('the same claims: accepted while valid, refused once expired', async () => {
    expect(await handshake(await resign(alice.token, {}))).toBe('connected')
    expect(await handshake(await resign(alice.token, {}, -60))).toBe('unauthorized')
  })

  it('a token without a session, for another collection, or without Payload’s format version', async () => {
    expect(await handshake(await resign(alice.token, { sid: undefined }))).toBe('unauthorized')
    expect(await handshake(await resign(alice.token, { collection: 'media' }))).toBe('unauthorized')
    const unversioned = await new SignJWT(claimsOf(alice.token))
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(server.payload.secret))
    expect(await handshake(unversioned)).toBe('unauthorized')
    // Payload's REST refuses the same tokens.
    const me = await api<{ user: unknown }>('/api/users/me', { token: unversioned })
    expect(me.body.user).toBeNull()
  })

  it('a logged-out session, while the same user’s other session still works', async () => {
    const [carol] = (await customersViaLocalApi(server.payload, api, 1, 'logout')) as [Account]
    const other = await login(api, carol.email, carol.password)
    expect(await handshake(carol.token)).toBe('connected')
    expect((await api('/api/users/logout', { method: 'POST', token: carol.token })).status).toBe(200)
    expect(await handshake(carol.token)).toBe('unauthorized')
    expect(await handshake(other)).toBe('connected')
  })

  it('a locked account (too many failed logins), with a token from before the lock', async () => {
    const [dave] = (await customersViaLocalApi(server.payload, api, 1, 'locked')) as [Account]
    expect(await handshake(dave.token)).toBe('connected')
    for (let i = 0; i < 5; i++)
      expect(
        (await api('/api/users/login', { json: { email: dave.email, password: 'wrong-pass-123' } })).status,
      ).toBe(401)
    // The right password is refused now: the account is locked.
    expect(
      (await api('/api/users/login', { json: { email: dave.email, password: dave.password } })).status,
    ).toBe(401)
    expect(await handshake(dave.token)).toBe('unauthorized')
  })

  it('a user whose address is no longer verified, and a deleted user', async () => {
    const [erin, frank] = (await customersViaLocalApi(server.payload, api, 2, 'unverified')) as [
      Account,
      Account,
    ]
    await server.payload.update({ collection: 'users', id: erin.id, data: { _verified: false } })
    expect(await handshake(erin.token)).toBe('unauthorized')
    await server.payload.delete({ collection: 'users', id: frank.id })
    expect(await handshake(frank.token)).toBe('unauthorized')
  })
})

// ------------------------------------------------------------------------------------------------
// Connected sockets keep only the rights their user still has

/** Resolves with the reason once `socket` is disconnected, or 'still connected' after `ms`. */
function disconnection(socket: Socket, ms = 5000): Promise<string> {
  if (!socket.connected) return Promise.resolve('already disconnected')
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('still connected'), ms)
    socket.once('disconnect', (reason) => {
      clearTimeout(timer)
      resolve(reason)
    })
  })
}

/** An admin besides the first, logged in on `base`. */
async function anotherAdmin(base: Api): Promise<Account> {
  const email = uniqueEmail('admin2')
  const password = 'admin2-pass-123'
  const created = await create(api, admin.token, 'users', {
    email,
    password,
    roles: ['admin'],
    _verified: true,
  })
  return { id: created.id, email, password, token: await login(base, email, password) }
}

const placeOrder = async (account: Account, base: Api = api): Promise<OrderView> => {
  const item = await create(api, admin.token, 'products', product({ stock: 10 }))
  expect((await addToCart(base, account.token, item.id, 1)).status).toBe(200)
  const placed = await checkoutCod(base, account.token)
  expect(placed.status).toBe(201)
  return placed.body.order
}

const SERVER_DISCONNECT = 'io server disconnect'

describe('a connected socket loses what its user lost', () => {
  it('an admin made a customer: no more admins events nor others’ order rooms; its own events still come', async () => {
    const [carol] = (await customersViaLocalApi(server.payload, api, 1, 'demote-buyer')) as [Account]
    const demoted = await anotherAdmin(api)
    const socket = await connect(demoted.token)
    const watched = await placeOrder(carol)
    expect(await ask(socket, 'order:subscribe', { orderId: watched.id })).toEqual({ ok: true })
    const created = record<OrderEventPayload>(socket, 'order.created')
    const updated = record<OrderEventPayload>(socket, 'order.updated')

    const before = await placeOrder(carol)
    await quiet()
    expect(created.map((event) => event.id)).toEqual([before.id])

    const demote = await api(`/api/users/${demoted.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { roles: ['customer'] },
    })
    expect(demote.status).toBe(200)
    await quiet()
    expect(socket.connected).toBe(true)

    await placeOrder(carol)
    const changed = await api(`/api/orders/${watched.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { status: 'processing' },
    })
    expect(changed.status).toBe(200)
    const own = await placeOrder(demoted)
    await quiet()
    expect(created.map((event) => event.id)).toEqual([before.id, own.id])
    expect(updated).toEqual([])
    // The customer it is now may subscribe to its own order only.
    expect(await ask(socket, 'order:subscribe', { orderId: watched.id })).toEqual({ error: 'not found' })
    expect(await ask(socket, 'order:subscribe', { orderId: own.id })).toEqual({ ok: true })
  })

  it('a customer made an admin joins the admins room without reconnecting', async () => {
    const [promoted, buyer] = (await customersViaLocalApi(server.payload, api, 2, 'promote')) as [
      Account,
      Account,
    ]
    const socket = await connect(promoted.token)
    const created = record<OrderEventPayload>(socket, 'order.created')
    await server.payload.update({ collection: 'users', id: promoted.id, data: { roles: ['admin'] } })
    await quiet()
    const order = await placeOrder(buyer)
    await quiet()
    expect(created.map((event) => event.id)).toEqual([order.id])
  })

  it('a deleted user is disconnected', async () => {
    const [gone] = (await customersViaLocalApi(server.payload, api, 1, 'deleted')) as [Account]
    const socket = await connect(gone.token)
    const reason = disconnection(socket)
    expect((await api(`/api/users/${gone.id}`, { method: 'DELETE', token: admin.token })).status).toBe(200)
    expect(await reason).toBe(SERVER_DISCONNECT)
  })

  it('logout disconnects that session’s sockets only', async () => {
    const [dana] = (await customersViaLocalApi(server.payload, api, 1, 'logout-live')) as [Account]
    const otherToken = await login(api, dana.email, dana.password)
    const [leaving, staying] = await Promise.all([connect(dana.token), connect(otherToken)])
    const reason = disconnection(leaving)
    expect((await api('/api/users/logout', { method: 'POST', token: dana.token })).status).toBe(200)
    expect(await reason).toBe(SERVER_DISCONNECT)
    await quiet()
    expect(staying.connected).toBe(true)
    // …and still receives its user's events.
    const created = record<OrderEventPayload>(staying, 'order.created')
    const order = await placeOrder({ ...dana, token: otherToken })
    await quiet()
    expect(created.map((event) => event.id)).toEqual([order.id])
  })

  it('logout of all sessions disconnects every socket of the user', async () => {
    const [ed] = (await customersViaLocalApi(server.payload, api, 1, 'logout-all')) as [Account]
    const otherToken = await login(api, ed.email, ed.password)
    const sockets = await Promise.all([connect(ed.token), connect(otherToken)])
    const reasons = sockets.map((socket) => disconnection(socket))
    const res = await api('/api/users/logout?allSessions=true', { method: 'POST', token: ed.token })
    expect(res.status).toBe(200)
    expect(await Promise.all(reasons)).toEqual([SERVER_DISCONNECT, SERVER_DISCONNECT])
  })

  it('an account locked by failed logins is disconnected', async () => {
    const [fay] = (await customersViaLocalApi(server.payload, api, 1, 'lock-live')) as [Account]
    const socket = await connect(fay.token)
    const reason = disconnection(socket, 10_000)
    for (let i = 0; i < 5; i++)
      expect(
        (await api('/api/users/login', { json: { email: fay.email, password: 'wrong-pass-123' } })).status,
      ).toBe(401)
    expect(await reason).toBe(SERVER_DISCONNECT)
  })

  it('a password change: the sockets of the sessions it ends go, the changing session’s stays', async () => {
    const [gil] = (await customersViaLocalApi(server.payload, api, 1, 'password')) as [Account]
    const otherToken = await login(api, gil.email, gil.password)
    const [current, other] = await Promise.all([connect(gil.token), connect(otherToken)])
    const reason = disconnection(other)
    const changed = await api(`/api/users/${gil.id}`, {
      method: 'PATCH',
      token: gil.token,
      json: { password: 'changed-pass-456', currentPassword: gil.password },
    })
    expect(changed.status).toBe(200)
    // Payload keeps only the changing session; the write that removes the others is what must
    // reach their sockets.
    const user = await server.payload.findByID({ collection: 'users', id: gil.id, showHiddenFields: true })
    expect((user.sessions ?? []).map((session) => session.id)).toEqual([decodeJwt(gil.token).sid])
    expect(await reason).toBe(SERVER_DISCONNECT)
    await quiet()
    expect(current.connected).toBe(true)
  })

  it('a socket is disconnected when its token expires', async () => {
    const shortLived = await resign(alice.token, {}, 2)
    const socket = await connect(shortLived)
    const reason = disconnection(socket, 6000)
    expect(await reason).toBe(SERVER_DISCONNECT)
  })
})

const hasRedis = available('redis-server')

describeIf(hasRedis, 'redis-server')('across instances (Redis adapter)', () => {
  let redisServer: PrivateRedis
  let one: Instance
  let two: Instance

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort())
    await redisServer.start()
    ;[one, two] = await Promise.all([
      startInstance({ REDIS_URL: redisServer.url }),
      startInstance({ REDIS_URL: redisServer.url }),
    ])
  }, 150_000)

  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()])
    await redisServer?.stop()
  })

  it('a demotion through one instance takes the admins room from a socket on the other', async () => {
    const [buyer] = (await customersViaLocalApi(server.payload, api, 1, 'x-demote-buyer')) as [Account]
    const demoted = await anotherAdmin(one.api)
    const socket = await connect(demoted.token, one.url)
    const created = record<OrderEventPayload>(socket, 'order.created')
    const before = await placeOrder(buyer, one.api)
    await quiet()
    expect(created.map((event) => event.id)).toEqual([before.id])

    const demote = await two.api(`/api/users/${demoted.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { roles: ['customer'] },
    })
    expect(demote.status).toBe(200)
    await quiet(1000)
    await placeOrder(buyer, one.api)
    const own = await placeOrder(demoted, one.api)
    await quiet()
    expect(socket.connected).toBe(true)
    expect(created.map((event) => event.id)).toEqual([before.id, own.id])
  })

  it('logout and deletion through one instance disconnect sockets on the other', async () => {
    const [leaver, gone] = (await customersViaLocalApi(server.payload, api, 2, 'x-logout')) as [
      Account,
      Account,
    ]
    const otherToken = await login(api, leaver.email, leaver.password)
    const [leaving, staying, deleted] = await Promise.all([
      connect(leaver.token, one.url),
      connect(otherToken, one.url),
      connect(gone.token, one.url),
    ])
    const reasons = [disconnection(leaving), disconnection(deleted)]
    expect((await two.api('/api/users/logout', { method: 'POST', token: leaver.token })).status).toBe(200)
    expect((await two.api(`/api/users/${gone.id}`, { method: 'DELETE', token: admin.token })).status).toBe(
      200,
    )
    expect(await Promise.all(reasons)).toEqual([SERVER_DISCONNECT, SERVER_DISCONNECT])
    await quiet()
    expect(staying.connected).toBe(true)
  })
})
