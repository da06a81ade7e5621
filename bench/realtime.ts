import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

import pg from 'pg'
import { io } from 'socket.io-client'
import type { Socket } from 'socket.io-client'

import { makeTempDir, removeTempDir } from '../test/helpers/store/cleanup'
import { freePort, spawnChild, spawnScript, startStore, benchStoreEnv } from '../test/helpers/store/process'
import type { Server } from '../test/helpers/store/process'
import { benchNodeFlags, jsonClient, percentile, pool, positiveInteger, SHIPPING_ADDRESS, sleep } from './lib'
import type { Json } from './lib'

// Real-time benchmark: two server instances (separate processes) sharing one database and one
// Redis; BENCH_SOCKETS customers, each with a real Payload token (payload.login for the first
// BENCH_LOGINS, Payload's own session + signing steps for the rest: bench/realtime-seed.ts), open
// a socket on instance A or B in turn, and admin sockets (POST /api/users/login) sit on both.
// Then customers check out (order.created) and an admin moves each order pending → processing →
// shipped → delivered over PATCH on instance A (order.updated). A delivery's latency runs from
// the change (the order's updatedAt, stamped by the server as it writes it) to the event's
// arrival on the socket, and is also shown from just before the request that makes the change;
// every socket must get exactly its own events.
//
//   npm run bench:realtime                                           # SQLite file, private redis-server
//   BENCH_DATABASE_URI=postgres://postgres@127.0.0.1:5432/postgres npm run bench:realtime
//       # a fresh database on that server, dropped afterwards
//   BENCH_SOCKETS=2000 BENCH_ORDERS=300 BENCH_ADMIN_SOCKETS=6 npm run bench:realtime
//   BENCH_REDIS_URL=redis://127.0.0.1:6379 npm run bench:realtime    # an existing Redis
//   BENCH_LOGINS=all npm run bench:realtime       # every token from payload.login (~0.3 s CPU each)

const SOCKETS = positiveInteger('BENCH_SOCKETS', 1000)
const ORDERS = Math.min(SOCKETS, positiveInteger('BENCH_ORDERS', 200))
const ADMIN_SOCKETS = positiveInteger('BENCH_ADMIN_SOCKETS', 4)
// Logins in flight in the seeding process, and cart requests in flight before the checkouts.
const SETUP_CONCURRENCY = positiveInteger('BENCH_SETUP_CONCURRENCY', 8)
// Customers whose token comes from payload.login ("all" for every one); the rest get theirs from
// Payload's own session + jwtSign steps (see bench/realtime-seed.ts: each login costs ~0.3 s of CPU).
const LOGINS =
  process.env.BENCH_LOGINS?.trim() === 'all'
    ? 'all'
    : String(Math.min(SOCKETS, positiveInteger('BENCH_LOGINS', 50)))
// Handshakes in flight while the sockets connect.
const CONNECT_CONCURRENCY = positiveInteger('BENCH_CONNECT_CONCURRENCY', 100)
// Checkouts and status changes in flight during the measured phases.
const CHANGE_CONCURRENCY = positiveInteger('BENCH_CHANGE_CONCURRENCY', 2)
const DELIVERY_TIMEOUT_MS = 10_000
const START_TIMEOUT_MS = 180_000
const DATABASE_BASE = process.env.BENCH_DATABASE_URI?.trim() || undefined
const REDIS_GIVEN = process.env.BENCH_REDIS_URL?.trim() || undefined
const TARGETS = { connectRate: 1, p99Ms: 100 }
const PASSWORD = 'bench-pass-123'

type Id = number | string
type OrderEvent = { id: Id; orderNumber: string; status: string; paymentStatus: string; total: number }
type Customer = { id: Id; token: string; instance: 0 | 1 }
type Receiver = { socket: Socket; instance: 0 | 1; kind: 'customer' | 'admin'; userId?: Id }

const say = (line = ''): void => void process.stdout.write(`${line}\n`)

// ---------------------------------------------------------------------------------------------
// Database, Redis and the two server processes

type Database = { uri: string; kind: 'postgresql' | 'sqlite'; drop: () => Promise<void> }

async function createDatabase(tmp: string): Promise<Database> {
  if (!DATABASE_BASE)
    return { uri: `file:${path.join(tmp, 'store.db')}`, kind: 'sqlite', drop: async () => {} }
  if (!DATABASE_BASE.startsWith('postgres')) throw new Error('BENCH_DATABASE_URI must be a postgres:// URL')
  const name = `bench_realtime_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: DATABASE_BASE })
    await client.connect()
    try {
      await client.query(sql)
    } finally {
      await client.end()
    }
  }
  await run(`CREATE DATABASE "${name}"`)
  const url = new URL(DATABASE_BASE)
  url.pathname = `/${name}`
  return {
    uri: url.toString(),
    kind: 'postgresql',
    drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  }
}

async function startRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (REDIS_GIVEN) return { url: REDIS_GIVEN, stop: async () => {} }
  // A private redis-server: other processes on a shared Redis would share the adapter's channels.
  const port = await freePort()
  const redis = spawnChild(
    'redis-server',
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { output: 'capture' },
  )
  const stop = () => redis.stop()
  for (let attempt = 0; attempt < 50 && redis.running; attempt++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (up) return { url: `redis://127.0.0.1:${port}`, stop }
    await sleep(100)
  }
  await stop()
  throw new Error(`redis-server did not start (${redis.status})${redis.log() ? `:\n${redis.log()}` : ''}`)
}

// LOG_LEVEL=error: a checkout's or a PATCH's warnings are not what this measures.
const storeLogLevel = 'error'

function startServer(name: string, databaseUri: string, redisUrl: string, mediaDir: string): Promise<Server> {
  return startStore({
    name,
    databaseUri,
    redisUrl,
    mediaDir,
    logLevel: storeLogLevel,
    nodeFlags: benchNodeFlags(),
    output: 'inherit',
    startTimeoutMs: START_TIMEOUT_MS,
  })
}

/** Runs bench/realtime-seed.ts against the (migrated) database: customers and their real tokens. */
async function seed(
  databaseUri: string,
  redisUrl: string,
  out: string,
): Promise<{ id: Id; token: string }[]> {
  const seeder = spawnScript({
    name: 'seeding',
    script: 'bench/realtime-seed.ts',
    env: {
      ...benchStoreEnv({
        databaseUri,
        redisUrl,
        mediaDir: path.join(path.dirname(out), 'media-seed'),
        logLevel: storeLogLevel,
      }),
      BENCH_SEED_COUNT: String(SOCKETS),
      BENCH_SEED_OUT: out,
      BENCH_SEED_PASSWORD: PASSWORD,
      BENCH_SEED_PREFIX: 'bench-rt',
      BENCH_SEED_CONCURRENCY: String(SETUP_CONCURRENCY),
      BENCH_SEED_LOGINS: LOGINS,
    },
    output: 'inherit',
  })
  await seeder.exited
  if (seeder.process.exitCode !== 0) throw new Error(`seeding failed (exit ${seeder.status})`)
  return JSON.parse(await readFile(out, 'utf8')) as { id: Id; token: string }[]
}

type Api = ReturnType<typeof jsonClient>

async function login(api: Api, email: string): Promise<string> {
  const res = await api('/api/users/login', { json: { email, password: PASSWORD } })
  if (res.status !== 200 || typeof res.body.token !== 'string')
    throw new Error(`login: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.token
}

// ---------------------------------------------------------------------------------------------
// Sockets and deliveries

type Connected = { socket?: Socket; ms: number; error?: string }

function connect(url: string, token: string): Promise<Connected> {
  const started = performance.now()
  const socket = io(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 20_000,
  })
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket, ms: performance.now() - started }))
    socket.once('connect_error', (error: Error) => {
      socket.close()
      resolve({ ms: performance.now() - started, error: error.message })
    })
  })
}

type Sample = { key: string; ms: number; fromChangeMs: number; afterResponseMs: number; receiver: Receiver }
// changedAt: the order's own timestamp of the change (updatedAt as the server stamped it while
// writing), epoch ms on this machine's clock, which the servers share.
type Change = { t0: number; responded: number; changedAt: number; ownerId: Id }

/**
 * Records every arrival of `event`; changes are registered once their answer names the order
 * (an event may arrive before that). `analyse` then expects one delivery per change on its
 * owner's socket and on every admin socket; anything else is misdelivered or a duplicate.
 */
class Deliveries {
  private readonly arrivals: { key: string; receiver: Receiver; at: number; wall: number }[] = []
  private readonly changes = new Map<string, Change>()

  constructor(
    private readonly event: string,
    private readonly receivers: Receiver[],
  ) {
    for (const receiver of receivers)
      receiver.socket.on(event, (data: OrderEvent) =>
        this.arrivals.push({
          key: `${data.id}:${data.status}`,
          receiver,
          at: performance.now(),
          wall: Date.now(),
        }),
      )
  }

  changed(orderId: Id, status: string, change: Change): void {
    this.changes.set(`${orderId}:${status}`, change)
  }

  private expected(): number {
    const admins = this.receivers.filter((receiver) => receiver.kind === 'admin').length
    const owners = new Set(this.receivers.map((receiver) => String(receiver.userId)))
    let count = 0
    for (const change of this.changes.values()) count += admins + (owners.has(String(change.ownerId)) ? 1 : 0)
    return count
  }

  /** Waits until every expected delivery is in (or the timeout), then stops listening. */
  async finish(): Promise<void> {
    const deadline = Date.now() + DELIVERY_TIMEOUT_MS
    while (this.arrivals.length < this.expected() && Date.now() < deadline) await sleep(50)
    await sleep(200) // anything extra that is still on its way
    for (const receiver of this.receivers) receiver.socket.off(this.event)
  }

  analyse(): { samples: Sample[]; missing: number; misdelivered: number; duplicates: number } {
    const samples: Sample[] = []
    const seen = new Set<string>()
    let misdelivered = 0
    let duplicates = 0
    for (const arrival of this.arrivals) {
      const change = this.changes.get(arrival.key)
      const { receiver } = arrival
      if (!change || (receiver.kind === 'customer' && String(receiver.userId) !== String(change.ownerId))) {
        misdelivered++
        continue
      }
      const once = `${arrival.key}:${this.receivers.indexOf(receiver)}`
      if (seen.has(once)) {
        duplicates++
        continue
      }
      seen.add(once)
      samples.push({
        key: arrival.key,
        ms: arrival.at - change.t0,
        fromChangeMs: arrival.wall - change.changedAt,
        afterResponseMs: arrival.at - change.responded,
        receiver,
      })
    }
    return { samples, missing: this.expected() - samples.length, misdelivered, duplicates }
  }
}

type Stats = { n: number; p50: number; p95: number; p99: number; max: number }

function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b)
  return {
    n: sorted.length,
    p50: percentile(sorted, 50) ?? 0,
    p95: percentile(sorted, 95) ?? 0,
    p99: percentile(sorted, 99) ?? 0,
    max: sorted.at(-1) ?? 0,
  }
}

const row = (label: string, s: Stats): string =>
  `${label.padEnd(52)} ${String(s.n).padStart(6)} ${s.p50.toFixed(1).padStart(7)} ${s.p95.toFixed(1).padStart(7)} ` +
  `${s.p99.toFixed(1).padStart(7)} ${s.max.toFixed(1).padStart(7)}`

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const tmp = await makeTempDir('bench-realtime-')
  const database = await createDatabase(tmp)
  const redis = await startRedis()
  const servers: Server[] = []
  const open: Socket[] = []
  try {
    // One after the other: the first one applies the migrations to the fresh database.
    servers.push(await startServer('server A', database.uri, redis.url, path.join(tmp, 'media-a')))
    servers.push(await startServer('server B', database.uri, redis.url, path.join(tmp, 'media-b')))
    const apis = servers.map((server) => jsonClient(server.url)) as [Api, Api]
    const [apiA] = apis

    const adminEmail = 'bench-admin@example.test'
    const first = await apiA('/api/users/first-register', {
      json: { email: adminEmail, password: PASSWORD, 'confirm-password': PASSWORD },
    })
    if (first.status !== 200) throw new Error(`first-register: ${first.status} ${JSON.stringify(first.body)}`)
    const adminToken = String(first.body.token)
    const stamp = Date.now().toString(36)

    say(`seeding ${SOCKETS} customers and their tokens (bench/realtime-seed.ts)…`)
    const setupStarted = performance.now()
    const seeded = await seed(database.uri, redis.url, path.join(tmp, 'tokens.json'))
    const customers = seeded.map((entry, i): Customer => ({ ...entry, instance: (i % 2) as 0 | 1 }))
    // Admin sessions one at a time: Payload rewrites the user's whole session list on each login.
    const adminTokens: string[] = []
    for (let i = 0; i < ADMIN_SOCKETS; i++) adminTokens.push(await login(apis[(i % 2) as 0 | 1], adminEmail))
    const setupSeconds = (performance.now() - setupStarted) / 1000
    say(`  ${SOCKETS} customers + ${ADMIN_SOCKETS} admin logins in ${setupSeconds.toFixed(1)} s`)

    say(`connecting ${SOCKETS} customer sockets (${CONNECT_CONCURRENCY} handshakes in flight)…`)
    const connectStarted = performance.now()
    const attempts = await pool(customers, CONNECT_CONCURRENCY, (customer) =>
      connect(servers[customer.instance]!.url, customer.token),
    )
    const connectSeconds = (performance.now() - connectStarted) / 1000
    const receivers: Receiver[] = []
    attempts.forEach((attempt, i) => {
      const customer = customers[i]!
      if (attempt.socket) {
        open.push(attempt.socket)
        receivers.push({
          socket: attempt.socket,
          instance: customer.instance,
          kind: 'customer',
          userId: customer.id,
        })
      }
    })
    const connected = attempts.filter((attempt) => attempt.socket).length
    const failures = new Map<string, number>()
    for (const attempt of attempts)
      if (attempt.error) failures.set(attempt.error, (failures.get(attempt.error) ?? 0) + 1)
    const connectTimes = stats(attempts.map((attempt) => attempt.ms))

    const adminAttempts = await Promise.all(
      adminTokens.map((token, i) => connect(servers[i % 2]!.url, token)),
    )
    adminAttempts.forEach((attempt, i) => {
      if (!attempt.socket) throw new Error(`admin socket ${i}: ${attempt.error}`)
      open.push(attempt.socket)
      receivers.push({ socket: attempt.socket, instance: (i % 2) as 0 | 1, kind: 'admin' })
    })

    // Let the sockets settle: the handshakes' own work must not count against the events.
    await sleep(1000)

    const product = await apiA('/api/products', {
      token: adminToken,
      json: {
        title: 'Realtime bench',
        sku: `RT-${stamp}`,
        price: 1000,
        stock: 1_000_000,
        status: 'published',
      },
    })
    if (product.status !== 201) throw new Error(`product: ${product.status} ${JSON.stringify(product.body)}`)
    const productId = (product.body.doc as Json).id as Id
    const buyers = customers.slice(0, ORDERS).filter((_, i) => attempts[i]?.socket)
    await pool(buyers, SETUP_CONCURRENCY, async (buyer) => {
      const res = await apis[buyer.instance]('/api/carts/mine/items', {
        token: buyer.token,
        json: { product: productId, quantity: 1 },
      })
      if (res.status !== 200) throw new Error(`cart: ${res.status} ${JSON.stringify(res.body)}`)
    })

    let failedChanges = 0
    say(`measuring: ${buyers.length} checkouts (order.created), ${CHANGE_CONCURRENCY} in flight…`)
    const created = new Deliveries('order.created', receivers)
    const orders: { id: Id; customer: Customer }[] = []
    const checkoutTimes: number[] = []
    await pool(buyers, CHANGE_CONCURRENCY, async (buyer) => {
      const t0 = performance.now()
      const res = await apis[buyer.instance]('/api/checkout', {
        token: buyer.token,
        json: { paymentMethod: 'cod', shippingAddress: SHIPPING_ADDRESS },
      })
      const responded = performance.now()
      checkoutTimes.push(responded - t0)
      if (res.status !== 201) return void failedChanges++
      const order = res.body.order as Json
      orders.push({ id: order.id as Id, customer: buyer })
      created.changed(order.id as Id, String(order.status), {
        t0,
        responded,
        changedAt: Date.parse(String(order.updatedAt)),
        ownerId: buyer.id,
      })
    })
    await created.finish()

    const steps = ['processing', 'shipped', 'delivered'] as const
    say(`measuring: ${orders.length * steps.length} status changes by PATCH on instance A (order.updated)…`)
    const updated = new Deliveries('order.updated', receivers)
    const patchTimes: number[] = []
    for (const status of steps) {
      await pool(orders, CHANGE_CONCURRENCY, async (order) => {
        const t0 = performance.now()
        const res = await apiA(`/api/orders/${String(order.id)}`, {
          method: 'PATCH',
          token: adminToken,
          json: { status },
        })
        const responded = performance.now()
        patchTimes.push(responded - t0)
        if (res.status !== 200) return void failedChanges++
        const doc = res.body.doc as Json
        updated.changed(order.id, status, {
          t0,
          responded,
          changedAt: Date.parse(String(doc.updatedAt)),
          ownerId: order.customer.id,
        })
      })
    }
    await updated.finish()
    const createdResult = created.analyse()
    const updatedResult = updated.analyse()

    // ----- report ----------------------------------------------------------------------------
    const load = os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')
    say()
    say(
      `real-time benchmark — node ${process.version}, ${os.cpus().length} cores, load average ${load}, ` +
        `${database.kind}, redis ${REDIS_GIVEN ? REDIS_GIVEN : 'private redis-server'}, 2 instances`,
    )
    say(
      `${SOCKETS} customer sockets (alternating A/B) + ${ADMIN_SOCKETS} admin sockets, ${buyers.length} orders, ` +
        `${CHANGE_CONCURRENCY} changes in flight`,
    )
    say()
    const rate = connected / SOCKETS
    say(
      `connect: ${connected}/${SOCKETS} (${(rate * 100).toFixed(1)} %) in ${connectSeconds.toFixed(2)} s ` +
        `= ${(connected / connectSeconds).toFixed(0)} sockets/s; handshake ms p50 ${connectTimes.p50.toFixed(1)} ` +
        `p95 ${connectTimes.p95.toFixed(1)} p99 ${connectTimes.p99.toFixed(1)} max ${connectTimes.max.toFixed(1)}`,
    )
    for (const [message, count] of failures) say(`  refused/failed: ${count} × ${message}`)
    say()
    type Metric = (sample: Sample) => number
    const fromChange: Metric = (sample) => sample.fromChangeMs
    const fromRequest: Metric = (sample) => sample.ms
    const report = (name: string, samples: Sample[], metric: Metric) => {
      say(row(name, stats(samples.map(metric))))
      for (const kind of ['customer', 'admin'] as const)
        for (const instance of [0, 1] as const) {
          const subset = samples.filter(
            (sample) => sample.receiver.kind === kind && sample.receiver.instance === instance,
          )
          say(row(`  ${kind} sockets on ${instance === 0 ? 'A' : 'B'}`, stats(subset.map(metric))))
        }
    }
    say('delivery latency, ms from the change (order updatedAt)    n     p50     p95     p99     max')
    report('order.created (COD checkout, owner’s instance)', createdResult.samples, fromChange)
    report('order.updated (admin PATCH on A)', updatedResult.samples, fromChange)
    say()
    say('delivery latency, ms from just before the request          n     p50     p95     p99     max')
    report('order.created (COD checkout, owner’s instance)', createdResult.samples, fromRequest)
    report('order.updated (admin PATCH on A)', updatedResult.samples, fromRequest)
    say()
    say('the requests themselves, ms                                n     p50     p95     p99     max')
    say(row('POST /api/checkout', stats(checkoutTimes)))
    say(row('PATCH /api/orders/:id', stats(patchTimes)))
    const afterResponse = stats(updatedResult.samples.map((sample) => sample.afterResponseMs))
    say(
      `order.updated arrival relative to the PATCH's response: p50 ${afterResponse.p50.toFixed(1)} ms, ` +
        `p99 ${afterResponse.p99.toFixed(1)} ms (negative: before the response)`,
    )
    // The fan-out on its own: from a change's first receipt (on any socket) to its last.
    const spread = new Map<string, { first: number; last: number }>()
    for (const sample of [...createdResult.samples, ...updatedResult.samples]) {
      const entry = spread.get(sample.key) ?? { first: Infinity, last: -Infinity }
      entry.first = Math.min(entry.first, sample.ms)
      entry.last = Math.max(entry.last, sample.ms)
      spread.set(sample.key, entry)
    }
    const fanOut = stats([...spread.values()].map((entry) => entry.last - entry.first))
    say(
      `fan-out, first to last receipt of one change across its ${ADMIN_SOCKETS + 1} sockets: ` +
        `p50 ${fanOut.p50.toFixed(1)} ms, p99 ${fanOut.p99.toFixed(1)} ms, max ${fanOut.max.toFixed(1)} ms`,
    )
    say()
    const samples = [...createdResult.samples, ...updatedResult.samples]
    const overall = stats(samples.map(fromChange))
    const overallFromRequest = stats(samples.map(fromRequest))
    const missing = createdResult.missing + updatedResult.missing
    const misdelivered = createdResult.misdelivered + updatedResult.misdelivered
    const duplicates = createdResult.duplicates + updatedResult.duplicates
    say(
      `deliveries ${samples.length}, missing ${missing}, misdelivered ${misdelivered}, ` +
        `duplicates ${duplicates}, failed changes ${failedChanges}`,
    )
    say(
      `target 100 % connect: ${rate >= TARGETS.connectRate ? 'PASS' : 'FAIL'} (${(rate * 100).toFixed(1)} %)`,
    )
    say(
      `target p99 ≤ ${TARGETS.p99Ms} ms from the change (all deliveries): ${overall.p99 <= TARGETS.p99Ms ? 'PASS' : 'FAIL'} ` +
        `(${overall.p99.toFixed(1)} ms; from just before the request: ${overallFromRequest.p99.toFixed(1)} ms)`,
    )
    if (rate < TARGETS.connectRate || missing + misdelivered + duplicates + failedChanges > 0)
      process.exitCode = 1
  } finally {
    for (const socket of open) socket.close()
    await Promise.all(servers.map((server) => server.stop()))
    await redis.stop()
    await database.drop().catch((error: unknown) => say(`dropping the database failed: ${String(error)}`))
    await removeTempDir(tmp)
  }
}

await main()
