import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { io } from 'socket.io-client'
import type { Socket } from 'socket.io-client'

import { makeTempDir, removeTempDir } from '../test/helpers/store/cleanup'
import { startStore } from '../test/helpers/store/process'
import type { Server } from '../test/helpers/store/process'
import { percentile, positiveNumber, SHIPPING_ADDRESS, sleep } from './lib'

// Soak: a mixed storefront workload against one server process for SOAK_SECONDS — anonymous and
// customer browsing (lists, filters, single products, brands, categories), cart operations,
// cash-on-delivery checkouts, and Socket.IO clients receiving their order events. Prints the
// errors (expected 409s apart), p50/p99 per route, throughput and the server's memory over time.
// Targets: 0 errors, memory flat.
//
//   npm run bench:soak                                   # 300 s, SQLite in a temp dir
//   SOAK_SECONDS=60 npm run bench:soak
//   BENCH_DATABASE_URI=postgres://…/empty_db npm run bench:soak
//   BENCH_REDIS_URL=redis://127.0.0.1:6379 npm run bench:soak   # default: no Redis
//   SOAK_USERS=16 SOAK_SOCKETS=10 npm run bench:soak
//
// The last line is `SOAK_RESULT {json}` for test/soak.test.ts.

const SECONDS = positiveNumber('SOAK_SECONDS', 300)
const USERS = Math.round(positiveNumber('SOAK_USERS', 16))
const SOCKETS = Math.min(USERS, Math.round(positiveNumber('SOAK_SOCKETS', 10)))
const PRODUCTS = 40
const STOCK = 1_000_000
const MEMORY_SAMPLES = 6
const DATABASE_URI = process.env.BENCH_DATABASE_URI?.trim() || undefined
const REDIS_URL = process.env.BENCH_REDIS_URL?.trim() ?? ''
// Memory is compared from the end of the warm-up (caches filled, code paths compiled) on.
const WARMUP_SECONDS = Math.min(30, Math.max(3, SECONDS / 10))
const HEAP_GROWTH_LIMIT = 0.1
const ADDRESS = { ...SHIPPING_ADDRESS, name: 'Soak Buyer' }

// ---------------------------------------------------------------------------------------------
// The server process and its memory

type Memory = {
  at: number
  vmRss: number
  rss: number
  heapUsed: number
  heapTotal: number
  external: number
}

/** Reads the server's memory: VmRSS from /proc, the heap from bench/memory-probe.ts inside it. */
class MemoryProbe {
  private waiting: ((line: string) => void)[] = []

  constructor(private readonly server: Server) {
    server.process.stdout?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.startsWith('SOAK_MEMORY ')) this.waiting.shift()?.(line.slice('SOAK_MEMORY '.length))
      }
    })
  }

  /** VmRSS from /proc, then the heap after a full collection from the probe inside the process. */
  async memory(at: number): Promise<Memory> {
    const status = readFileSync(`/proc/${this.server.process.pid}/status`, 'utf8')
    const vmRss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
    const line = new Promise<string>((resolve) => this.waiting.push(resolve))
    this.server.process.kill('SIGUSR2')
    const reported = JSON.parse(await Promise.race([line, sleep(10_000).then(() => '{}')])) as Partial<Memory>
    return {
      at,
      vmRss,
      rss: reported.rss ?? 0,
      heapUsed: reported.heapUsed ?? 0,
      heapTotal: reported.heapTotal ?? 0,
      external: reported.external ?? 0,
    }
  }
}

function startSoakStore(databaseUri: string, mediaDir: string): Promise<Server> {
  return startStore({
    name: 'the server',
    databaseUri,
    mediaDir,
    redisUrl: REDIS_URL,
    logLevel: 'warn',
    env: {
      SMTP_HOST: '',
      // Low-stock events are not part of this workload.
      LOW_STOCK_THRESHOLD: '0',
    },
    // --expose-gc: the probe collects garbage before it reports the heap.
    nodeFlags: ['--expose-gc'],
    imports: ['./bench/memory-probe.ts'],
    output: 'capture',
    logChars: 50_000,
    stopTimeoutMs: 15_000,
  })
}

// ---------------------------------------------------------------------------------------------
// HTTP and the per-route tally

type Json = Record<string, unknown>
type Answer = { status: number; body: Json }

class Route {
  latencies: number[] = []
  ok = 0
  conflicts = 0
  errors = 0
  samples: string[] = []

  constructor(readonly name: string) {}

  record(ms: number, status: number, detail: string): void {
    this.latencies.push(ms)
    if (status >= 200 && status < 300) this.ok++
    else if (status === 409) this.conflicts++
    else {
      this.errors++
      if (this.samples.length < 5) this.samples.push(`${status} ${detail.slice(0, 200)}`)
    }
  }
}

const routes = new Map<string, Route>()
let measuring = false

async function call(
  base: string,
  name: string,
  route: string,
  init: { token?: string; json?: unknown; method?: string } = {},
): Promise<Answer> {
  const t0 = performance.now()
  let status = 0
  let text: string
  try {
    const res = await fetch(`${base}${route}`, {
      method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
      headers: {
        ...(init.json === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(init.token ? { Authorization: `JWT ${init.token}` } : {}),
      },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
      signal: AbortSignal.timeout(30_000),
    })
    status = res.status
    text = await res.text()
  } catch (error) {
    text = error instanceof Error ? error.message : String(error)
  }
  if (measuring) {
    let tally = routes.get(name)
    if (!tally) routes.set(name, (tally = new Route(name)))
    tally.record(performance.now() - t0, status, `${route}: ${text}`)
  }
  let body: Json = {}
  try {
    body = JSON.parse(text) as Json
  } catch {
    // not JSON (or a network error): the status says what happened
  }
  return { status, body }
}

// ---------------------------------------------------------------------------------------------
// The workload

type Catalog = { products: { id: number | string; slug: string }[]; brands: string[]; categories: string[] }
type Customer = { token: string; id: number | string }

const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)] as T

async function setUp(base: string): Promise<{ admin: string; catalog: Catalog; customers: Customer[] }> {
  const registered = await call(base, 'setup', '/api/users/first-register', {
    json: {
      email: 'soak-admin@example.test',
      password: 'soak-pass-123',
      'confirm-password': 'soak-pass-123',
    },
  })
  const admin = String(registered.body.token)
  const created = async (collection: string, data: Json): Promise<Json> => {
    const res = await call(base, 'setup', `/api/${collection}`, { token: admin, json: data })
    if (res.status !== 201) throw new Error(`create ${collection}: ${res.status} ${JSON.stringify(res.body)}`)
    return res.body.doc as Json
  }
  const brands = []
  for (let i = 0; i < 4; i++) brands.push(await created('brands', { name: `Soak Brand ${i}` }))
  const categories = []
  for (let i = 0; i < 4; i++) categories.push(await created('categories', { name: `Soak Category ${i}` }))
  const products = []
  for (let i = 0; i < PRODUCTS; i++) {
    products.push(
      await created('products', {
        title: `Soak Product ${i}`,
        sku: `SOAK-${i}`,
        price: 500 + i * 125,
        stock: STOCK,
        status: 'published',
        brand: brands[i % brands.length]?.id,
        categories: [categories[i % categories.length]?.id],
      }),
    )
  }
  const customers: Customer[] = []
  for (let i = 0; i < USERS; i++) {
    const email = `soak-${i}-${Date.now()}@example.test`
    const user = await created('users', {
      email,
      password: 'soak-pass-123',
      roles: ['customer'],
      _verified: true,
    })
    const login = await call(base, 'setup', '/api/users/login', {
      json: { email, password: 'soak-pass-123' },
    })
    if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`)
    customers.push({ token: String(login.body.token), id: user.id as number | string })
  }
  return {
    admin,
    customers,
    catalog: {
      products: products.map((doc) => ({ id: doc.id as number | string, slug: String(doc.slug) })),
      brands: brands.map((doc) => String(doc.id)),
      categories: categories.map((doc) => String(doc.id)),
    },
  }
}

/** One step of a storefront visitor: mostly browsing, some cart work, now and then a checkout. */
async function browse(base: string, catalog: Catalog, token?: string): Promise<void> {
  const roll = Math.random()
  const as = token ? 'customer' : 'anon'
  if (roll < 0.35) {
    const page = 1 + Math.floor(Math.random() * 2)
    await call(base, `GET products list (${as})`, `/api/products?limit=20&depth=1&page=${page}`, { token })
  } else if (roll < 0.55) {
    const filter = pick([
      `where[brand][equals]=${pick(catalog.brands)}`,
      `where[categories][in]=${pick(catalog.categories)}`,
      `where[price][less_than]=${1000 + Math.floor(Math.random() * 4) * 1000}&sort=-price`,
    ])
    await call(base, `GET products filtered (${as})`, `/api/products?limit=12&depth=1&${filter}`, { token })
  } else if (roll < 0.8) {
    const product = pick(catalog.products)
    if (Math.random() < 0.5)
      await call(base, `GET product by id (${as})`, `/api/products/${product.id}`, { token })
    else
      await call(
        base,
        `GET product by slug (${as})`,
        `/api/products?where[slug][equals]=${product.slug}&limit=1`,
        {
          token,
        },
      )
  } else if (roll < 0.9) {
    await call(base, `GET brands (${as})`, '/api/brands?limit=50', { token })
  } else {
    await call(base, `GET categories (${as})`, '/api/categories?limit=50&depth=1', { token })
  }
}

// Events are matched to checkouts by order id: one that arrives just after the measured window
// closes still counts for its checkout, and one for a checkout before the window does not count.
type Shopper = Customer & { checkouts: number; placed: Set<string>; seen: Set<string> }

const eventsFor = (shopper: Shopper): number =>
  [...shopper.placed].filter((id) => shopper.seen.has(id)).length

async function shop(base: string, catalog: Catalog, shopper: Shopper): Promise<void> {
  const { token } = shopper
  const roll = Math.random()
  if (roll < 0.5) return browse(base, catalog, token)
  if (roll < 0.62) {
    await call(base, 'POST cart item', '/api/carts/mine/items', {
      token,
      json: { product: pick(catalog.products).id, quantity: 1 + Math.floor(Math.random() * 3) },
    })
  } else if (roll < 0.7) {
    await call(base, 'GET cart', '/api/carts/mine', { token })
  } else if (roll < 0.78) {
    const cart = await call(base, 'GET cart', '/api/carts/mine', { token })
    const items = (cart.body.items as { product: { id: number | string } }[] | undefined) ?? []
    const line = items[0]
    if (line) {
      await call(base, 'PATCH cart item', `/api/carts/mine/items/${line.product.id}`, {
        token,
        method: 'PATCH',
        json: { quantity: 1 + Math.floor(Math.random() * 4) },
      })
    }
  } else if (roll < 0.84) {
    const cart = await call(base, 'GET cart', '/api/carts/mine', { token })
    const items = (cart.body.items as { product: { id: number | string } }[] | undefined) ?? []
    const line = items.at(-1)
    if (line && items.length > 1)
      await call(base, 'DELETE cart item', `/api/carts/mine/items/${line.product.id}`, {
        token,
        method: 'DELETE',
      })
  } else {
    // A checkout needs something in the cart.
    await call(base, 'POST cart item', '/api/carts/mine/items', {
      token,
      json: { product: pick(catalog.products).id, quantity: 1 },
    })
    const res = await call(base, 'POST checkout (cod)', '/api/checkout', {
      token,
      json: { paymentMethod: 'cod', shippingAddress: ADDRESS },
    })
    if (res.status === 201 && measuring) {
      shopper.checkouts++
      shopper.placed.add(String((res.body.order as { id?: unknown } | undefined)?.id))
    }
  }
}

async function connectSocket(base: string, shopper: Shopper): Promise<Socket> {
  const socket = io(base, { auth: { token: shopper.token }, transports: ['websocket'], reconnection: true })
  socket.on('order.created', (event: { id?: unknown }) => {
    shopper.seen.add(String(event.id))
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', reject)
  })
  return socket
}

// ---------------------------------------------------------------------------------------------

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)

async function main(): Promise<void> {
  const tmpDir = await makeTempDir('bench-soak-')
  const databaseUri = DATABASE_URI ?? `file:${path.join(tmpDir, 'store.db')}`
  const kind = databaseUri.startsWith('postgres')
    ? 'postgresql'
    : databaseUri.startsWith('mongodb')
      ? 'mongodb'
      : 'sqlite'
  const store = await startSoakStore(databaseUri, path.join(tmpDir, 'media'))
  const { url } = store
  const probe = new MemoryProbe(store)
  let failure: unknown
  try {
    process.stdout.write(`setting up ${PRODUCTS} products and ${USERS} customers…\n`)
    const { catalog, customers } = await setUp(url)
    const shoppers: Shopper[] = customers.map((customer) => ({
      ...customer,
      checkouts: 0,
      placed: new Set<string>(),
      seen: new Set<string>(),
    }))
    const socketShoppers = shoppers.slice(0, SOCKETS)
    const sockets = await Promise.all(socketShoppers.map((shopper) => connectSocket(url, shopper)))
    let disconnects = 0
    for (const socket of sockets) socket.on('disconnect', () => measuring && disconnects++)

    const loadBefore = os.loadavg()[0] ?? 0
    const memory: Memory[] = []
    let stop = false

    // Half of the virtual users are customers (one each, so their carts never collide), half
    // anonymous visitors.
    const visitors = [
      ...shoppers.map(async (shopper) => {
        while (!stop) await shop(url, catalog, shopper)
      }),
      ...Array.from({ length: USERS }, async () => {
        while (!stop) await browse(url, catalog)
      }),
    ]
    process.stdout.write(`warming up for ${WARMUP_SECONDS} s, then ${SECONDS} s measured…\n`)
    await sleep(WARMUP_SECONDS * 1000)
    measuring = true
    const measuredFrom = performance.now()
    memory.push(await probe.memory(0))
    const every = (SECONDS * 1000) / (MEMORY_SAMPLES - 1)
    for (let i = 1; i < MEMORY_SAMPLES; i++) {
      await sleep(Math.max(0, measuredFrom + i * every - performance.now()))
      if (i < MEMORY_SAMPLES - 1) memory.push(await probe.memory((performance.now() - measuredFrom) / 1000))
    }
    measuring = false
    const measuredSeconds = (performance.now() - measuredFrom) / 1000
    stop = true
    await Promise.all(visitors)
    // Events of the last checkouts may still be on their way.
    await sleep(1000)
    memory.push(await probe.memory(measuredSeconds))
    for (const socket of sockets) socket.disconnect()
    const loadAfter = os.loadavg()[0] ?? 0

    // ------------------------------------------------------------------ report
    const ordered = [...routes.values()].sort((a, b) => a.name.localeCompare(b.name))
    let requests = 0
    let errors = 0
    let conflicts = 0
    process.stdout.write(
      `\nsoak — ${measuredSeconds.toFixed(0)} s measured (after ${WARMUP_SECONDS} s warm-up), ${kind}, ` +
        `redis ${REDIS_URL ? `on (${REDIS_URL})` : 'off'}, ${USERS} customers + ${USERS} anonymous visitors, ` +
        `${SOCKETS} sockets\nnode ${process.version}, ${os.cpus().length} CPUs, load average (1 min) ` +
        `${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after\n\n`,
    )
    process.stdout.write(
      'route                              requests      2xx   409  errors   req/s  p50 ms  p99 ms  max ms\n',
    )
    for (const route of ordered) {
      const sorted = [...route.latencies].sort((a, b) => a - b)
      requests += sorted.length
      errors += route.errors
      conflicts += route.conflicts
      process.stdout.write(
        `${route.name.padEnd(34)} ${String(sorted.length).padStart(8)} ${String(route.ok).padStart(8)} ` +
          `${String(route.conflicts).padStart(5)} ${String(route.errors).padStart(7)} ` +
          `${(sorted.length / measuredSeconds).toFixed(1).padStart(7)} ${(percentile(sorted, 50) ?? 0).toFixed(1).padStart(7)} ` +
          `${(percentile(sorted, 99) ?? 0).toFixed(1).padStart(7)} ${(sorted.at(-1) ?? 0).toFixed(1).padStart(7)}\n`,
      )
    }
    const orders = shoppers.reduce((sum, shopper) => sum + shopper.checkouts, 0)
    process.stdout.write(
      `${'total'.padEnd(34)} ${String(requests).padStart(8)} ${' '.repeat(8)} ${String(conflicts).padStart(5)} ` +
        `${String(errors).padStart(7)} ${(requests / measuredSeconds).toFixed(1).padStart(7)}\n`,
    )
    process.stdout.write(`orders: ${orders} (${(orders / measuredSeconds).toFixed(1)}/s)\n`)
    for (const route of ordered)
      for (const sample of route.samples) process.stdout.write(`  error on ${route.name}: ${sample}\n`)

    const expectedEvents = socketShoppers.reduce((sum, shopper) => sum + shopper.checkouts, 0)
    const receivedEvents = socketShoppers.reduce((sum, shopper) => sum + eventsFor(shopper), 0)
    const missedEvents = Math.max(0, expectedEvents - receivedEvents)
    process.stdout.write(
      `sockets: ${sockets.length} connected, order.created expected ${expectedEvents}, received ` +
        `${receivedEvents}, disconnects ${disconnects}\n\n`,
    )

    process.stdout.write(
      'server memory   t (s)   VmRSS MB   heap used MB (after GC)   heap total MB   external MB\n',
    )
    for (const sample of memory)
      process.stdout.write(
        `${''.padEnd(15)} ${sample.at.toFixed(0).padStart(5)} ${mb(sample.vmRss).padStart(10)} ` +
          `${mb(sample.heapUsed).padStart(25)} ${mb(sample.heapTotal).padStart(15)} ${mb(sample.external).padStart(13)}\n`,
      )
    const first = memory[0] as Memory
    const last = memory.at(-1) as Memory
    const heapGrowth = (last.heapUsed - first.heapUsed) / first.heapUsed
    const rssGrowth = (last.vmRss - first.vmRss) / first.vmRss
    const totalErrors = errors + missedEvents + disconnects
    const flat = heapGrowth <= HEAP_GROWTH_LIMIT
    process.stdout.write(
      `\nerrors (non-2xx other than 409, network, missed socket events, disconnects) = 0: ` +
        `${totalErrors === 0 ? 'PASS' : 'FAIL'} (${totalErrors})\n` +
        `memory flat (heap after GC grows ≤ ${HEAP_GROWTH_LIMIT * 100} %): ${flat ? 'PASS' : 'FAIL'} ` +
        `(heap ${mb(first.heapUsed)} → ${mb(last.heapUsed)} MB, ${(heapGrowth * 100).toFixed(1)} %; ` +
        `RSS ${mb(first.vmRss)} → ${mb(last.vmRss)} MB, ${(rssGrowth * 100).toFixed(1)} %)\n`,
    )
    process.stdout.write(
      `SOAK_RESULT ${JSON.stringify({
        seconds: measuredSeconds,
        requests,
        errors,
        conflicts,
        orders,
        expectedEvents,
        receivedEvents,
        disconnects,
        heapGrowth,
        rssGrowth,
      })}\n`,
    )
    if (totalErrors > 0 || !flat) process.exitCode = 1
  } catch (error) {
    failure = error
  } finally {
    await store.stop()
    await removeTempDir(tmpDir)
  }
  if (failure) {
    console.error(failure)
    console.error(`server output:\n${store.log() || '(no output)'}`)
    process.exitCode = 1
  }
}

await main()
