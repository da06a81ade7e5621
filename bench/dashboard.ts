import os from 'node:os'

import { createTestDatabase } from '../test/helpers/database'
import { BENCH_SECRET, storeEnv } from '../test/helpers/store/env'
import { percentile, positiveInteger } from './lib'

// Dashboard benchmark (issue 20): GET /api/dashboard's data (src/dashboard) on a shop with
// BENCH_ORDERS orders (default 100,000) spread over the last BENCH_DAYS days (default 365), plus
// products, customers and carts. Seeded through payload.db (the adapter's own inserts, no hooks),
// then dashboardData() is timed BENCH_RUNS times as an admin's request, in this process.
//
//   npm run bench:dashboard                                          # SQLite in a temp dir
//   BENCH_DATABASE_URI=postgres://postgres@127.0.0.1:5432/postgres npm run bench:dashboard
//     (a fresh database is created on that server and dropped afterwards)
//   BENCH_ORDERS=10000 BENCH_DAYS=30 npm run bench:dashboard

const ORDERS = positiveInteger('BENCH_ORDERS', 100_000)
const DAYS = positiveInteger('BENCH_DAYS', 365)
const RUNS = positiveInteger('BENCH_RUNS', 20)
const PRODUCTS = 500
const CARTS = 2_000
const TARGET_MS = 200
const DAY_MS = 86_400_000

if (process.env.BENCH_DATABASE_URI) process.env.TEST_DATABASE_URI = process.env.BENCH_DATABASE_URI
else delete process.env.TEST_DATABASE_URI
const database = await createTestDatabase()
Object.assign(process.env, {
  ...storeEnv({ nodeEnv: 'test', secret: BENCH_SECRET, databaseUri: database.uri, logLevel: 'silent' }),
  REDIS_URL: '',
  SMTP_HOST: '',
})

const { createLocalReq, getPayload } = await import('payload')
const { default: config } = await import('../payload.config')
const { dashboardData } = await import('../src/dashboard')
const widgets = await import('../src/dashboard/widgets')

const payload = await getPayload({ config })
const now = Date.now()
// A fixed-seed generator: every run seeds the same shop.
let seed = 20
const random = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
  return seed / 2 ** 31
}
const pick = <T>(weighted: [T, number][]): T => {
  let roll = random()
  for (const [value, weight] of weighted) {
    roll -= weight
    if (roll < 0) return value
  }
  return weighted[weighted.length - 1]![0]
}

/**
 * The SQL adapters' own bulk insert (payload.db.drizzle, Drizzle's query builder, no SQL text):
 * one statement per CHUNK rows. Row-at-a-time payload.db.create took about 20 ms a row on this
 * busy machine, over half an hour for 100,000 orders. Benchmark seeding only; MongoDB is not benched.
 */
type Bulk = {
  drizzle: {
    insert(table: unknown): {
      values(rows: Record<string, unknown>[]): { returning(): Promise<{ id: number }[]> }
    }
  }
  tables: Record<string, unknown>
}
const CHUNK = 500

async function insertAll(table: string, rows: Record<string, unknown>[]): Promise<(number | string)[]> {
  const bulk = payload.db as unknown as Bulk
  if (!bulk.drizzle || !bulk.tables[table])
    throw new Error('bench/dashboard.ts seeds SQLite or PostgreSQL only')
  const ids: (number | string)[] = []
  for (let from = 0; from < rows.length; from += CHUNK) {
    const inserted = await bulk.drizzle
      .insert(bulk.tables[table])
      .values(rows.slice(from, from + CHUNK))
      .returning()
    ids.push(...inserted.map((row) => row.id))
  }
  return ids
}

async function seedShop(): Promise<number | string> {
  const started = Date.now()
  const admin = await payload.create({
    collection: 'users',
    data: {
      email: 'bench-admin@example.test',
      password: 'bench-admin-pass',
      roles: ['admin'],
      _verified: true,
    },
    disableVerificationEmail: true,
  })
  const stamp = new Date(now).toISOString()
  const customers = await insertAll(
    'users',
    Array.from({ length: CARTS }, (_, index) => ({
      email: `bench-${index}@example.test`,
      _verified: true,
      loginAttempts: 0,
      createdAt: stamp,
      updatedAt: stamp,
    })),
  )
  const products = await insertAll(
    'products',
    Array.from({ length: PRODUCTS }, (_, index) => ({
      title: `Bench product ${index}`,
      slug: `bench-product-${index}`,
      sku: `BENCH-${index}`,
      price: 500 + (index % 50) * 100,
      stock: index % 10 === 0 ? index % 6 : 20 + (index % 100),
      stockRevision: 0,
      status: 'published',
      createdAt: stamp,
      updatedAt: stamp,
    })),
  )
  const orders = Array.from({ length: ORDERS }, (_, index) => {
    const status = pick<'pending' | 'processing' | 'shipped' | 'delivered' | 'cancelled'>([
      ['delivered', 0.7],
      ['shipped', 0.1],
      ['processing', 0.05],
      ['pending', 0.05],
      ['cancelled', 0.1],
    ])
    const card = random() < 0.5
    const paid = status !== 'pending' && status !== 'cancelled'
    const createdAt = new Date(now - random() * DAYS * DAY_MS).toISOString()
    const total = 1000 + Math.floor(random() * 20_000)
    return {
      orderNumber: `BENCH-${String(index).padStart(7, '0')}`,
      status,
      paymentStatus: card ? (paid ? 'paid' : status === 'cancelled' ? 'failed' : 'unpaid') : 'unpaid',
      paymentMethod: card ? 'card' : 'cod',
      customer: customers[index % customers.length],
      subtotal: total,
      discount: 0,
      shipping: 0,
      total,
      amountRefunded: 0,
      currency: 'usd',
      shippingAddress_name: 'Bench',
      shippingAddress_line1: '1 Load St',
      shippingAddress_city: 'Testville',
      shippingAddress_postalCode: '1',
      shippingAddress_country: 'us',
      payment_issue: card && random() < 0.005 ? 'Stripe reported a different amount: not marked paid.' : null,
      createdAt,
      updatedAt: createdAt,
    }
  })
  await insertAll('orders', orders)
  await insertAll(
    'carts',
    customers.map((customer, index) => {
      const updatedAt = new Date(now - random() * 10 * DAY_MS).toISOString()
      return {
        customer,
        items:
          index % 3 === 0 ? [] : [{ product: products[index % products.length], quantity: 1 + (index % 3) }],
        revision: 0,
        createdAt: updatedAt,
        updatedAt,
      }
    }),
  )
  console.log(
    `seeded ${ORDERS} orders, ${PRODUCTS} products, ${CARTS} customers with carts in ${Math.round((Date.now() - started) / 1000)} s`,
  )
  return admin.id
}

console.log(
  `dashboard bench: ${database.kind}, ${ORDERS} orders over ${DAYS} days, ${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(1)}`,
)
const adminId = await seedShop()

const user = await payload.findByID({ collection: 'users', id: adminId, depth: 0 })
const req = await createLocalReq({ user: { ...user, collection: 'users' } }, payload)

async function timed(run: () => Promise<unknown>): Promise<number[]> {
  await run() // warm: statement caches, the first planning of each query
  const samples: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now()
    await run()
    samples.push(performance.now() - start)
  }
  return samples.sort((a, b) => a - b)
}

const summary = (samples: number[]): string =>
  `p50 ${percentile(samples, 50)!.toFixed(1)} ms, p95 ${percentile(samples, 95)!.toFixed(1)} ms, max ${samples.at(-1)!.toFixed(1)} ms`

const reqNow = () => new Date()
const parts: [string, () => Promise<unknown>][] = [
  ['sales (30-day series)', () => widgets.sales(req, reqNow())],
  ['orders by status', () => widgets.byStatus(req)],
  ['newest orders', () => widgets.newest(req)],
  ['low stock', () => widgets.lowStock(req, 5)],
  ['card orders stuck unpaid', () => widgets.stuckUnpaid(req, reqNow(), 900)],
  ['payment issues', () => widgets.paymentIssues(req)],
  ['abandoned carts', () => widgets.abandonedCarts(req, reqNow())],
]
for (const [name, run] of parts) console.log(`  ${name.padEnd(26)} ${summary(await timed(run))}`)
const whole = await timed(() => dashboardData(req))
const sample = await dashboardData(req)
console.log(
  `whole dashboard (widgets together): ${summary(whole)} — target ≤ ${TARGET_MS} ms: ${
    percentile(whole, 95)! <= TARGET_MS ? 'met' : 'NOT met'
  } (30-day orders ${sample.sales.last30.orders}, low stock ${sample.lowStock.products.total}, stuck ${sample.stuckUnpaid.total}, issues ${sample.paymentIssues.total}, abandoned ${sample.abandonedCarts.total})`,
)

// Dropping the PostgreSQL database ends the pool's idle connections from the server's side: the
// pool reports that as an error event, which must not end this process before the drop returns.
;(payload.db as unknown as { pool?: { on(event: 'error', listener: () => void): void } }).pool?.on(
  'error',
  () => undefined,
)
await payload.destroy()
await database.drop()
process.exit(0)
