import type http from 'node:http'

import { createAdapter } from '@socket.io/redis-adapter'
import { Redis } from 'ioredis'
import { jwtVerify } from 'jose'
import { JWT_AUTH_VERSION } from 'payload'
import type { Payload } from 'payload'
import { Server } from 'socket.io'
import type { Socket } from 'socket.io'

import type { User } from '../../payload-types'
import { env } from '../config/env'
import { logger } from '../logger'
import { closeRedisClient, withTimeout } from '../redis'
import { PUBLIC_ROOM, setRealtime } from './events'
import { hashToken } from '../guests/tokens'
import { watchUserWrites } from './userWrites'
import type { ChangedUsers } from './userWrites'

const RATE_PER_SECOND = 20

type Ack = (answer: { ok: true } | { error: string }) => void
/** The socket's user as last checked, the session its token names, and when the token expires (ms). */
type UserData = { user: User; sid: string | undefined; expiresAt: number }
/** A guest's socket (auth `orderToken`): the one order it follows, and nothing else. */
type GuestData = { guestOrder: number | string }
type SocketData = UserData | GuestData
const isGuestData = (data: SocketData): data is GuestData => 'guestOrder' in data
const USER_CHANGED = 'store:user-changed'
type ServerSideEvents = { [USER_CHANGED]: (changed: ChangedUsers) => void }
// setTimeout's longest delay; a longer-lived token is re-armed.
const MAX_DELAY_MS = 2 ** 31 - 1

export type Realtime = { io: Server; close: () => Promise<void> }

function cookieToken(cookie: string | undefined): string | undefined {
  if (!cookie) return undefined
  for (const part of cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=')
    if (name === 'payload-token') return decodeURIComponent(rest.join('='))
  }
  return undefined
}

/** What a socket's token claims: the user, its session and when it expires (ms). */
type Claims = { id: number | string; sid: string | undefined; expiresAt: number }

/** The claims of a Payload token, checked as Payload's JWT strategy checks them; undefined when refused. */
async function claimsOf(token: string, secret: Uint8Array): Promise<Claims | undefined> {
  const { payload: claims, protectedHeader } = await jwtVerify(token, secret, { algorithms: ['HS256'] })
  if (protectedHeader.authVersion !== JWT_AUTH_VERSION || claims.collection !== 'users') return undefined
  const id = claims.id
  if (typeof id !== 'string' && typeof id !== 'number') return undefined
  if (typeof claims.exp !== 'number') return undefined
  return { id, sid: typeof claims.sid === 'string' ? claims.sid : undefined, expiresAt: claims.exp * 1000 }
}

const findUser = async (payload: Payload, id: number | string): Promise<User | undefined> =>
  ((await payload.findByID({
    collection: 'users',
    id,
    depth: 0,
    disableErrors: true,
    showHiddenFields: true,
  })) as User | null) ?? undefined

/**
 * Whether `user` (as stored now) still authenticates a token of session `sid`, as Payload would
 * decide (a verified address, a live session) and not locked. The handshake and every later
 * re-check of a connected socket use this one rule.
 */
function stillAuthenticates(payload: Payload, user: User | undefined, sid: string | undefined): user is User {
  if (!user) return false
  const auth = payload.collections.users.config.auth
  if (auth.verify && !user._verified) return false
  if (user.lockUntil && new Date(user.lockUntil).getTime() > Date.now()) return false
  // With sessions on (Payload's default), a token without a session, or whose session was
  // logged out or has expired, no longer authenticates.
  if (auth.useSessions) {
    const session = sid !== undefined && user.sessions?.find((entry) => entry.id === sid)
    if (!session || new Date(session.expiresAt).getTime() <= Date.now()) return false
  }
  return true
}

const isAdminUser = (user: User): boolean => Boolean(user.roles?.includes('admin'))

/**
 * The adapter sends PUBLISH, (UN)SUBSCRIBE without ever looking at the reply. While Redis is down
 * they wait in the offline queue; when the connection is then cut (at shutdown) each fails, and
 * an unhandled rejection ends the process with exit code 1. Every command of `client` gets a
 * handler here (whoever awaits one still sees its failure).
 */
function handleEveryReply(client: Redis, name: string): void {
  const send = client.sendCommand.bind(client)
  client.sendCommand = (command, stream) => {
    command.promise.catch((error: unknown) =>
      logger.debug({ err: error, connection: name, command: command.name }, 'redis command failed'),
    )
    return send(command, stream)
  }
}

/** A token bucket per socket: `rate` events a second, bursts up to `rate`. */
function rateLimiter(rate: number): () => boolean {
  let tokens = rate
  let last = Date.now()
  return () => {
    const now = Date.now()
    tokens = Math.min(rate, tokens + ((now - last) / 1000) * rate)
    last = now
    if (tokens < 1) return false
    tokens -= 1
    return true
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Socket.IO on the API's own http.Server (path /socket.io/). Sockets authenticate with a Payload
 * token, join `user:<id>` (and `admins`), and may subscribe to their orders and to public rooms.
 */
export function attachRealtime(httpServer: http.Server, payload: Payload): Realtime {
  const settings = env()
  const secret = new TextEncoder().encode(payload.secret)
  const io = new Server<Record<string, never>, Record<string, never>, ServerSideEvents, SocketData>(
    httpServer,
    // Other upgrades (Next's dev HMR socket) are not ours to end.
    { serveClient: false, destroyUpgrade: false },
  )
  type StoreSocket = Socket<Record<string, never>, Record<string, never>, ServerSideEvents, SocketData>

  let clients: Redis[] = []
  if (settings.REDIS_URL) {
    // Dedicated clients with an offline queue: the adapter subscribes at once, before Redis is ready.
    const options = {
      maxRetriesPerRequest: null,
      retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
    }
    const pub = new Redis(settings.REDIS_URL, { ...options, connectionName: 'store-socket-pub' })
    const sub = new Redis(settings.REDIS_URL, { ...options, connectionName: 'store-socket-sub' })
    for (const [name, client] of [
      ['socket-pub', pub],
      ['socket-sub', sub],
    ] as const) {
      client.on('error', (error: Error) => logger.debug({ err: error, connection: name }, 'redis error'))
      handleEveryReply(client, name)
    }
    clients = [pub, sub]
    io.adapter(createAdapter(pub, sub))
  }

  // ---- Keeping connected sockets to the rights their user still has ----

  // Handshakes under way per user: one that read its user before a change was announced (and so
  // was not in the user's room when the re-check ran) re-checks once connected.
  type Watch = { changed: boolean }
  const handshakes = new Map<string, Set<Watch>>()
  const watchUser = (id: number | string): { watch: Watch; unwatch: () => void } => {
    const key = String(id)
    const watch = { changed: false }
    const watches = handshakes.get(key) ?? new Set()
    watches.add(watch)
    handshakes.set(key, watches)
    const unwatch = (): void => {
      watches.delete(watch)
      if (watches.size === 0 && handshakes.get(key) === watches) handshakes.delete(key)
    }
    return { watch, unwatch }
  }

  const localSocketsOf = (id: number | string): StoreSocket[] =>
    [...(io.of('/').adapter.rooms.get(`user:${id}`) ?? [])].flatMap((socketId) => {
      const socket = io.of('/').sockets.get(socketId)
      return socket ? [socket] : []
    })

  /** Leaves the order rooms of orders `user` may no longer read (an admin made a customer). */
  const leaveUnreadableOrders = async (socket: StoreSocket, user: User): Promise<void> => {
    for (const room of [...socket.rooms]) {
      if (!room.startsWith('order:')) continue
      const order = await payload
        .findByID({
          collection: 'orders',
          id: room.slice('order:'.length),
          depth: 0,
          overrideAccess: false,
          user: { ...user, collection: 'users' },
          disableErrors: true,
        })
        .catch(() => null)
      if (!order) await socket.leave(room)
    }
  }

  /** Checks this instance's sockets of user `id` against the stored user, as the handshake would. */
  const recheck = async (id: number | string): Promise<void> => {
    const sockets = localSocketsOf(id)
    if (sockets.length === 0) return
    const user = await findUser(payload, id)
    for (const socket of sockets) {
      const data = socket.data
      if (isGuestData(data)) continue
      if (!stillAuthenticates(payload, user, data.sid)) {
        socket.disconnect(true)
        continue
      }
      const wasAdmin = isAdminUser(data.user)
      data.user = user
      if (isAdminUser(user)) await socket.join('admins')
      else {
        await socket.leave('admins')
        if (wasAdmin) await leaveUnreadableOrders(socket, user)
      }
    }
  }

  // One re-check per user at a time, and one more after it when a change came in meanwhile: an
  // older read finishing last must not restore rights a newer change took away.
  const running = new Map<string, { again: boolean }>()
  const recheckSoon = (id: number | string): void => {
    const key = String(id)
    const current = running.get(key)
    if (current) {
      current.again = true
      return
    }
    const state = { again: false }
    running.set(key, state)
    void (async () => {
      do {
        state.again = false
        await recheck(id).catch((error: unknown) => {
          // Unsure whether the user still may: the sockets go (they reconnect and are checked).
          logger.warn({ err: error, user: id }, 'realtime: re-check failed; disconnecting')
          for (const socket of localSocketsOf(id)) socket.disconnect(true)
        })
      } while (state.again)
      running.delete(key)
    })()
  }

  const onUsersChanged = (changed: ChangedUsers): void => {
    const ids =
      changed === '*'
        ? new Set(
            [...io.of('/').sockets.values()].flatMap((socket) =>
              isGuestData(socket.data) ? [] : [String(socket.data.user.id)],
            ),
          )
        : changed.map(String)
    for (const id of ids) {
      for (const watch of handshakes.get(id) ?? []) watch.changed = true
      recheckSoon(id)
    }
  }
  io.on(USER_CHANGED, (changed: unknown) => {
    if (
      changed === '*' ||
      (Array.isArray(changed) && changed.every((id) => typeof id === 'string' || typeof id === 'number'))
    )
      onUsersChanged(changed)
  })
  const stopWatching = watchUserWrites(payload, (changed) => {
    onUsersChanged(changed)
    // The other instances re-check their own sockets of these users.
    if (clients.length > 0) io.serverSideEmit(USER_CHANGED, changed)
  })

  /** The order whose token a guest socket presents (its hash is the lookup), or undefined. */
  const guestOrderOf = async (token: unknown): Promise<number | string | undefined> => {
    if (typeof token !== 'string') return undefined
    const found = await payload.find({
      collection: 'orders',
      where: { orderTokenHash: { equals: hashToken(token) } },
      limit: 1,
      depth: 0,
      pagination: false,
      select: {},
    })
    return found.docs[0]?.id
  }

  /**
   * A guest follows its one order: it joins that order's room and may do nothing else (any
   * request it acknowledges is refused), so its token opens no other room or order.
   */
  const guestConnected = (socket: StoreSocket, data: GuestData): void => {
    void socket.join(`order:${data.guestOrder}`)
    const allowed = rateLimiter(RATE_PER_SECOND)
    ;(socket as Socket).onAny((...args: unknown[]) => {
      const ack = args.at(-1)
      if (typeof ack !== 'function') return
      ;(ack as Ack)({ error: allowed() ? 'not allowed' : 'rate limited' })
    })
  }

  const handshakeWatch = new WeakMap<object, { watch: Watch; unwatch: () => void }>()
  const authenticate = async (
    token: string,
  ): Promise<{ data: UserData; watching: { watch: Watch; unwatch: () => void } } | undefined> => {
    const claims = await claimsOf(token, secret)
    if (!claims) return undefined
    const watching = watchUser(claims.id)
    const user = await findUser(payload, claims.id).catch((error: unknown) => {
      watching.unwatch()
      throw error
    })
    if (!stillAuthenticates(payload, user, claims.sid)) {
      watching.unwatch()
      return undefined
    }
    return { data: { user, sid: claims.sid, expiresAt: claims.expiresAt }, watching }
  }

  io.use((socket, next) => {
    const auth: unknown = socket.handshake.auth
    if (isRecord(auth) && auth.orderToken !== undefined) {
      guestOrderOf(auth.orderToken).then(
        (order) => {
          if (order === undefined) return next(new Error('unauthorized'))
          socket.data = { guestOrder: order }
          next()
        },
        () => next(new Error('unauthorized')),
      )
      return
    }
    const given = isRecord(auth) && typeof auth.token === 'string' ? auth.token : undefined
    const token = given ?? cookieToken(socket.handshake.headers.cookie)
    if (!token) return next(new Error('unauthorized'))
    authenticate(token).then(
      (found) => {
        if (!found) return next(new Error('unauthorized'))
        socket.data = found.data
        handshakeWatch.set(socket, found.watching)
        // A client gone before the connection completes never reaches the connection handler.
        setTimeout(found.watching.unwatch, 10_000).unref()
        next()
      },
      () => next(new Error('unauthorized')),
    )
  })

  io.on('connection', (socket) => {
    const data = socket.data
    if (isGuestData(data)) return guestConnected(socket, data)
    const { user, expiresAt } = data
    void socket.join(`user:${user.id}`)
    if (isAdminUser(user)) void socket.join('admins')
    // A change announced while the handshake ran may not be in what it read.
    const watching = handshakeWatch.get(socket)
    watching?.unwatch()
    if (watching?.watch.changed) recheckSoon(user.id)

    // The token stops authenticating at its expiry: so does the socket.
    let expiry: NodeJS.Timeout | undefined
    const armExpiry = (): void => {
      const left = expiresAt - Date.now()
      if (left <= 0) return void socket.disconnect(true)
      expiry = setTimeout(armExpiry, Math.min(left, MAX_DELAY_MS))
      expiry.unref()
    }
    armExpiry()
    socket.once('disconnect', () => clearTimeout(expiry))

    const allowed = rateLimiter(RATE_PER_SECOND)

    const on = (event: string, handle: (body: Record<string, unknown>, ack: Ack) => Promise<void> | void) => {
      ;(socket as Socket).on(event, (...args: unknown[]) => {
        const ack = args.at(-1)
        if (typeof ack !== 'function') return
        const reply = ack as Ack
        if (!allowed()) return reply({ error: 'rate limited' })
        const body = args[0]
        if (!isRecord(body)) return reply({ error: 'bad request' })
        Promise.resolve()
          .then(() => handle(body, reply))
          .catch((error: unknown) => {
            logger.warn({ err: error, event }, 'realtime: handler failed')
            reply({ error: 'failed' })
          })
      })
    }

    on('order:subscribe', async (body, ack) => {
      const id = body.orderId
      if (
        (typeof id !== 'string' && typeof id !== 'number') ||
        !/^(\d{1,15}|[a-f0-9]{24})$/i.test(String(id))
      )
        return ack({ error: 'not found' })
      const order = await payload
        .findByID({
          collection: 'orders',
          id,
          depth: 0,
          overrideAccess: false,
          // As checked last: a demoted admin reads only their own orders.
          user: { ...(socket.data as UserData).user, collection: 'users' },
          disableErrors: true,
        })
        .catch(() => null)
      if (!order) return ack({ error: 'not found' })
      await socket.join(`order:${order.id}`)
      ack({ ok: true })
    })
    on('room:join', async (body, ack) => {
      if (typeof body.room !== 'string' || !PUBLIC_ROOM.test(body.room)) return ack({ error: 'invalid room' })
      await socket.join(body.room)
      ack({ ok: true })
    })
    on('room:leave', async (body, ack) => {
      if (typeof body.room !== 'string' || !PUBLIC_ROOM.test(body.room)) return ack({ error: 'invalid room' })
      await socket.leave(body.room)
      ack({ ok: true })
    })
  })

  setRealtime(io as unknown as Server)

  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= (async () => {
      setRealtime(undefined)
      stopWatching()
      // What io.close() does, except closing the http.Server: the caller does that, after
      // letting in-flight requests finish.
      io.disconnectSockets(true)
      // The Redis adapter's close only queues its unsubscribes (it does not wait for them).
      await withTimeout(Promise.resolve(io.of('/').adapter.close()), 1000).catch(() => undefined)
      io.engine.close()
      // Bounded: with Redis down, QUIT would wait behind those unsubscribes for ever.
      await Promise.all(clients.map((client) => closeRedisClient(client)))
    })()
    return closing
  }
  return { io: io as unknown as Server, close }
}
