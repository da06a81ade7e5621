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
import { PUBLIC_ROOM, setRealtime } from './events'

const RATE_PER_SECOND = 20

type Ack = (answer: { ok: true } | { error: string }) => void
type SocketData = { user: User }

export type Realtime = { io: Server; close: () => Promise<void> }

function cookieToken(cookie: string | undefined): string | undefined {
  if (!cookie) return undefined
  for (const part of cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=')
    if (name === 'payload-token') return decodeURIComponent(rest.join('='))
  }
  return undefined
}

/**
 * The user a Payload token stands for, checked as Payload's JWT strategy checks it (signature and
 * expiry, token format version, an existing user of `users`, a verified address, a live session)
 * and not locked; undefined when it does not pass.
 */
async function userFromToken(payload: Payload, token: string, secret: Uint8Array): Promise<User | undefined> {
  const { payload: claims, protectedHeader } = await jwtVerify(token, secret, { algorithms: ['HS256'] })
  if (protectedHeader.authVersion !== JWT_AUTH_VERSION || claims.collection !== 'users') return undefined
  const id = claims.id
  if (typeof id !== 'string' && typeof id !== 'number') return undefined
  const user = (await payload.findByID({
    collection: 'users',
    id,
    depth: 0,
    disableErrors: true,
    showHiddenFields: true,
  })) as User | null
  if (!user) return undefined
  const auth = payload.collections.users.config.auth
  if (auth.verify && !user._verified) return undefined
  if (user.lockUntil && new Date(user.lockUntil).getTime() > Date.now()) return undefined
  // With sessions on (Payload's default), a token without a session, or whose session was
  // logged out or has expired, no longer authenticates.
  if (auth.useSessions) {
    const session = typeof claims.sid === 'string' && user.sessions?.find((entry) => entry.id === claims.sid)
    if (!session || new Date(session.expiresAt).getTime() <= Date.now()) return undefined
  }
  return user
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
  const io = new Server<Record<string, never>, Record<string, never>, Record<string, never>, SocketData>(
    httpServer,
    // Other upgrades (Next's dev HMR socket) are not ours to end.
    { serveClient: false, destroyUpgrade: false },
  )

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
    ] as const)
      client.on('error', (error: Error) => logger.debug({ err: error, connection: name }, 'redis error'))
    clients = [pub, sub]
    io.adapter(createAdapter(pub, sub))
  }

  io.use((socket, next) => {
    const auth: unknown = socket.handshake.auth
    const given = isRecord(auth) && typeof auth.token === 'string' ? auth.token : undefined
    const token = given ?? cookieToken(socket.handshake.headers.cookie)
    if (!token) return next(new Error('unauthorized'))
    userFromToken(payload, token, secret).then(
      (user) => {
        if (!user) return next(new Error('unauthorized'))
        socket.data.user = user
        next()
      },
      () => next(new Error('unauthorized')),
    )
  })

  io.on('connection', (socket) => {
    const user = socket.data.user
    void socket.join(`user:${user.id}`)
    if (user.roles?.includes('admin')) void socket.join('admins')
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
          user: { ...user, collection: 'users' },
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
      // What io.close() does, except closing the http.Server: the caller does that, after
      // letting in-flight requests finish.
      io.disconnectSockets(true)
      await Promise.resolve(io.of('/').adapter.close()).catch(() => undefined)
      io.engine.close()
      await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())))
    })()
    return closing
  }
  return { io: io as unknown as Server, close }
}
