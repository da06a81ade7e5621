import http from 'node:http'
import net from 'node:net'

import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { io as ioClient } from 'socket.io-client'

import { create, product } from './helpers/catalog'
import { createTestDatabase } from './helpers/database'
import type { TestDatabase } from './helpers/database'
import { client } from './helpers/http'
import { PrivateRedis, available, describeIf, eventually, freePort } from './helpers/services'
import { ADDRESS, addToCart } from './helpers/shop'
import { startProductionServer } from './helpers/store/production'
import type { ProductionServer } from './helpers/store/production'
import { TcpProxy } from './helpers/tcpProxy'
import { firstAdmin } from './helpers/users'

// SIGTERM on `npm start` (a separate production process for each case): the request in flight is
// finished and the process exits 0; under load every request sent before the signal is answered;
// with a dependency down the shutdown still ends within its grace period.

// Each test starts its own store and signals it: one that loses a race with a loaded machine (reads
// reset once on PostgreSQL in CI, 5 of 5 green when run again) runs again, saying why it failed.
jest.retryTimes(1, { logErrorsBeforeRetry: true })

const hasRedis = available('redis-server')
const onPostgres = (process.env.TEST_DATABASE_URI ?? '').startsWith('postgres')
// Limits of the abuse protection: this file measures shutdowns, not them.
const NO_RATE_LIMITS = { RATE_LIMIT_AUTH_MAX: '1000000', RATE_LIMIT_CHECKOUT_MAX: '1000000' }
const ADMIN = { email: 'operator@example.test', password: 'operator-pass-123' }

describe('SIGTERM', () => {
  let server: ProductionServer
  let url = ''

  beforeAll(async () => {
    server = await startProductionServer()
    url = server.url
    await firstAdmin(client(url), ADMIN.email, ADMIN.password)
  }, 90_000)

  afterAll(async () => {
    await server?.stop()
  })

  it('stops accepting, finishes the request in flight, closes and exits 0', async () => {
    const body = JSON.stringify(ADMIN)
    const { port } = new URL(url)
    const socket = net.connect(Number(port), '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    let answer = ''
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()))
    const closed = new Promise((resolve) => socket.once('close', resolve))
    socket.write(
      `POST /api/users/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    )
    socket.write(body.slice(0, 10))
    await new Promise((resolve) => setTimeout(resolve, 200))

    server.child.kill('SIGTERM')
    // Idle kept-alive connections (this file's fetch keeps some) get 500 ms of grace first.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const refused = await fetch(`${url}/api/health`).then(
      () => false,
      () => true,
    )
    expect(refused).toBe(true)

    socket.write(body.slice(10))
    await closed
    expect(answer).toMatch(/^HTTP\/1\.1 200/)
    expect(await server.exited).toBe(0)
    expect(server.output()).toMatch(/shutdown complete/)
  }, 30_000)
})

// ------------------------------------------------------------------------------------------------
// SIGTERM under load, on a separate production process (npm start)

type Outcome = {
  kind: 'read' | 'checkout'
  /** The request was fully written (so accepted by the kernel) before SIGTERM was sent. */
  sentBeforeSignal: boolean
  status?: number
  complete?: boolean
  error?: string
}

function request(
  base: string,
  kind: Outcome['kind'],
  path: string,
  options: { token?: string; json?: unknown; agent?: http.Agent },
  signalled: () => boolean,
  onSent: () => void = () => undefined,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const body = options.json === undefined ? undefined : JSON.stringify(options.json)
    const outcome: Outcome = { kind, sentBeforeSignal: false }
    const req = http.request(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      agent: options.agent ?? false,
      headers: {
        ...(body === undefined
          ? {}
          : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }),
        ...(options.token ? { Authorization: `JWT ${options.token}` } : {}),
      },
    })
    req.on('finish', () => {
      outcome.sentBeforeSignal = !signalled()
      onSent()
    })
    req.on('response', (res) => {
      outcome.status = res.statusCode
      res.resume()
      res.on('end', () => {
        outcome.complete = res.complete
        resolve(outcome)
      })
      res.on('error', (error: NodeJS.ErrnoException) => {
        outcome.error = error.code ?? error.message
        resolve(outcome)
      })
    })
    req.on('error', (error: NodeJS.ErrnoException) => {
      outcome.error = error.code ?? error.message
      resolve(outcome)
    })
    req.end(body)
  })
}

describe('SIGTERM under load (npm start)', () => {
  let production: ProductionServer

  afterAll(async () => {
    await production?.stop()
  })

  it('answers every accepted request in full, refuses new connections, exits 0', async () => {
    production = await startProductionServer(
      { ...NO_RATE_LIMITS, SERVE_ADMIN: 'false' },
      { timeoutMs: 120_000 },
    )
    const prod = client(production.url)
    const owner = await firstAdmin(prod, 'sigterm-admin@example.test')
    const item = await create(prod, owner.token, 'products', product({ stock: 100_000 }))
    const tokens: string[] = []
    for (let i = 0; i < 16; i++) {
      const email = `sigterm-${i}@example.test`
      await create(prod, owner.token, 'users', {
        email,
        password: 'sigterm-pass-123',
        roles: ['customer'],
        _verified: true,
      })
      const login = await prod<{ token: string }>('/api/users/login', {
        json: { email, password: 'sigterm-pass-123' },
      })
      tokens.push(login.body.token)
      expect((await addToCart(prod, login.body.token, item.id, 1)).status).toBe(200)
    }
    const reads = [
      '/api/products?limit=20&depth=1',
      `/api/products/${item.id}`,
      '/api/categories',
      '/api/brands',
    ]
    // Some requests on keep-alive connections too, which must be closed only between requests.
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 8 })
    for (const path of reads) await request(production.url, 'read', path, { agent: keepAlive }, () => false)

    let signalled = false
    const isSignalled = () => signalled
    let sent = 0
    const onSent = () => sent++
    const inFlight: Promise<Outcome>[] = []
    for (const token of tokens)
      inFlight.push(
        request(
          production.url,
          'checkout',
          '/api/checkout',
          { token, json: { paymentMethod: 'cod', shippingAddress: ADDRESS } },
          isSignalled,
          onSent,
        ),
      )
    for (let i = 0; i < 60; i++)
      inFlight.push(
        request(
          production.url,
          'read',
          reads[i % reads.length]!,
          { agent: i % 3 === 0 ? keepAlive : undefined },
          isSignalled,
          onSent,
        ),
      )
    // Signalled once every request of the first wave is on the wire (or after 5 s at most).
    const batch = inFlight.length
    await eventually(
      async () => sent,
      (count) => count >= batch,
      5000,
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    const exitTimer = Date.now()
    signalled = true
    production.child.kill('SIGTERM')
    // More arrive during the shutdown: each is answered in full or refused, never cut.
    for (let i = 0; i < 20; i++) {
      inFlight.push(request(production.url, 'read', reads[i % reads.length]!, {}, isSignalled))
      await new Promise((resolve) => setTimeout(resolve, 25))
    }

    const outcomes = await Promise.all(inFlight)
    keepAlive.destroy()
    const accepted = outcomes.filter((outcome) => outcome.sentBeforeSignal)
    expect(accepted.filter((outcome) => outcome.kind === 'checkout')).toHaveLength(tokens.length)
    const failed = accepted.filter(
      (outcome) => !outcome.complete || outcome.status !== (outcome.kind === 'checkout' ? 201 : 200),
    )
    expect(failed).toEqual([])
    // After the signal: a full answer, or a connection refused — or reset by the kernel before a
    // byte was answered, when it landed in the listen backlog in the instant before the close
    // (never processed, so safe to retry) — nothing in between.
    const late = outcomes.filter((outcome) => !outcome.sentBeforeSignal)
    for (const outcome of late) {
      if (outcome.error) {
        expect(['ECONNREFUSED', 'ECONNRESET']).toContain(outcome.error)
        expect(outcome.status).toBeUndefined()
      } else
        expect({ complete: outcome.complete, status: outcome.status }).toEqual({
          complete: true,
          status: 200,
        })
    }

    // A new connection, not fetch's pool: a kept-alive connection may still carry one more
    // request (answered with Connection: close) for a moment, which is the graceful part.
    const { port } = new URL(production.url)
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(Number(port), '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(false)
      })
      socket.once('error', () => resolve(true))
    })
    expect(refused).toBe(true)
    expect(await production.exited).toBe(0)
    expect(Date.now() - exitTimer).toBeLessThan(15_000)
    expect(production.output()).toMatch(/shutdown complete/)
  }, 300_000)
})

// ------------------------------------------------------------------------------------------------
// SIGTERM while a dependency is down: the shutdown still ends within its grace period

/** The production server's grace period for shutdown (src/server.ts), and a margin for exiting. */
const GRACE_MS = 10_000
const EXIT_MARGIN_MS = 5000

/** Sends SIGTERM once `inFlight` requests are on the wire; resolves with the exit code and the time to exit. */
async function terminate(
  production: ProductionServer,
  inFlight: (signalled: () => boolean, onSent: () => void) => Promise<Outcome>[],
): Promise<{ code: number | null | 'hung'; ms: number; outcomes: Outcome[] }> {
  let signalled = false
  let sent = 0
  const requests = inFlight(
    () => signalled,
    () => sent++,
  )
  await eventually(
    async () => sent,
    (count) => count >= requests.length,
    5000,
  )
  const started = Date.now()
  signalled = true
  production.child.kill('SIGTERM')
  const outcomes = await Promise.all(requests)
  // A process still alive after the grace period and a margin counts as hung (stop() kills it).
  const code = await Promise.race([
    production.exited,
    new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), GRACE_MS + EXIT_MARGIN_MS)),
  ])
  return { code, ms: Date.now() - started, outcomes }
}

describeIf(hasRedis, 'redis-server')('SIGTERM while a dependency is down (npm start)', () => {
  let production: ProductionServer | undefined
  let privateRedis: PrivateRedis | undefined
  let dbProxy: TcpProxy | undefined
  let proxied: TestDatabase | undefined

  afterEach(async () => {
    await production?.stop()
    await privateRedis?.stop()
    await dbProxy?.stop()
    await proxied?.drop()
    production = privateRedis = dbProxy = proxied = undefined
  })

  const reads = (base: string) => (signalled: () => boolean, onSent: () => void) =>
    Array.from({ length: 8 }, (_, i) =>
      request(
        base,
        'read',
        i % 2 ? '/api/products?limit=20&depth=1' : '/api/categories',
        {},
        signalled,
        onSent,
      ),
    )

  it('Redis stopped: requests in flight are answered, the process exits 0 within the grace period', async () => {
    privateRedis = new PrivateRedis(await freePort())
    await privateRedis.start()
    production = await startProductionServer(
      { ...NO_RATE_LIMITS, SERVE_ADMIN: 'false', REDIS_URL: privateRedis.url },
      { timeoutMs: 120_000 },
    )
    expect((await client(production.url)('/api/ready')).status).toBe(200)
    await privateRedis.stop()
    // Every connection has seen Redis go and is retrying.
    await eventually(
      () => client(production!.url)('/api/ready'),
      (res) => res.status === 503,
    )
    const { code, ms, outcomes } = await terminate(production, reads(production.url))
    expect(outcomes.filter((outcome) => outcome.status !== 200 || !outcome.complete)).toEqual([])
    expect({ code, withinGrace: ms < GRACE_MS + EXIT_MARGIN_MS }).toEqual({ code: 0, withinGrace: true })
    expect(production.output()).toMatch(/shutdown complete/)
  }, 240_000)

  it('Redis stopped and the socket adapter busy: a connected socket does not hold the exit', async () => {
    privateRedis = new PrivateRedis(await freePort())
    await privateRedis.start()
    production = await startProductionServer(
      { ...NO_RATE_LIMITS, SERVE_ADMIN: 'false', REDIS_URL: privateRedis.url },
      { timeoutMs: 120_000 },
    )
    const prod = client(production.url)
    const owner = await firstAdmin(prod, 'redis-down-admin@example.test')
    const socket = ioClient(production.url, {
      auth: { token: owner.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    })
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve())
      socket.once('connect_error', reject)
    })
    await privateRedis.stop()
    // A write to users while Redis is away queues a broadcast to the other instances.
    expect(
      (await prod(`/api/users/${owner.id}`, { method: 'PATCH', token: owner.token, json: { name: 'x' } }))
        .status,
    ).toBe(200)
    const { code, ms } = await terminate(production, reads(production.url))
    socket.disconnect()
    expect({ code, withinGrace: ms < GRACE_MS + EXIT_MARGIN_MS }).toEqual({ code: 0, withinGrace: true })
  }, 240_000)

  ;(onPostgres ? it : it.skip)(
    'the database unreachable (and Redis stopped): the process still exits within the grace period',
    async () => {
      privateRedis = new PrivateRedis(await freePort())
      await privateRedis.start()
      proxied = await createTestDatabase()
      const target = new URL(proxied.uri)
      dbProxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start()
      target.hostname = '127.0.0.1'
      target.port = String(dbProxy.port)
      production = await startProductionServer(
        {
          ...NO_RATE_LIMITS,
          SERVE_ADMIN: 'false',
          REDIS_URL: privateRedis.url,
          DATABASE_URI: target.toString(),
        },
        { timeoutMs: 120_000 },
      )
      const base = production.url
      await firstAdmin(client(base), 'db-down-admin@example.test')
      await privateRedis.stop()
      // A partition: connections are accepted and never answered, the worst case for a pool's end.
      await dbProxy.set('blackhole')
      const { code, ms, outcomes } = await terminate(production, (signalled, onSent) => [
        request(base, 'read', '/api/users/me', {}, signalled, onSent),
        request(base, 'read', '/api/categories', {}, signalled, onSent),
      ])
      // Each is answered (503 while the database is away, or 200 from a cache), none is cut.
      for (const outcome of outcomes) expect(outcome.complete).toBe(true)
      expect(code).toBe(0)
      expect(ms).toBeLessThan(GRACE_MS + EXIT_MARGIN_MS)
    },
    240_000,
  )
})
