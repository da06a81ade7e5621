import { writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import { cleanUp, makeTempDir } from '../test/helpers/store/cleanup'
import { startServer, startStore } from '../test/helpers/store/process'
import type { Server } from '../test/helpers/store/process'
import {
  benchNodeFlags,
  jsonClient,
  percentile,
  pool,
  positiveInteger,
  positiveNumber,
  SHIPPING_ADDRESS,
  sleep,
} from './lib'
import type { Json } from './lib'
import { blast } from './autocannon'
import { sampleWaits } from './pg-waits'
import type { WaitSampler } from './pg-waits'
import { runReads } from './read-load'
import type { ReadRequest, ReadStats } from './read-load'

// Flash sale (issue 15): one hot product with BENCH_STOCK units, BENCH_CUSTOMERS customers each
// with one in their cart checking out cash-on-delivery BENCH_IN_FLIGHT at a time, while
// BENCH_CONNECTIONS connections keep reading the cached product list and the hot product. Reads are
// measured quiet first, then during the sale; a bare node:http server answering the same bytes,
// measured in the same run with the same client, is the baseline. Then the reads no cache can
// answer: a customer's cart and orders (each request another customer) and an admin's product list.
// Every read's answer is checked: it must never show more stock than the checkouts acknowledged
// (201) before the read was sent allow.
//
//   npm run bench:sale                                   # SQLite in a temp dir, Redis on 127.0.0.1:6379
//   BENCH_DATABASE_URI=postgres://…/empty_db npm run bench:sale
//   BENCH_DATABASE_URI=postgres://…/empty_db BENCH_PG_WAITS=1 npm run bench:sale   # + pg_stat_activity samples
//   BENCH_CUSTOMERS=120 BENCH_STOCK=100 BENCH_IN_FLIGHT=20 BENCH_CONNECTIONS=50 BENCH_SECONDS=5 npm run bench:sale
//
// The load generator (node:http clients and the checkouts) runs in this process and shares the
// machine's cores with the servers. The last line is `SALE_RESULT {json}` for test/sale.test.ts.

const CUSTOMERS = positiveInteger('BENCH_CUSTOMERS', 120)
const STOCK = positiveInteger('BENCH_STOCK', 100)
const IN_FLIGHT = positiveInteger('BENCH_IN_FLIGHT', 20)
const CONNECTIONS = positiveInteger('BENCH_CONNECTIONS', 50)
const SECONDS = positiveNumber('BENCH_SECONDS', 5)
// Checkouts of another product before the measured phases: a running store has long compiled and
// cached its checkout path.
const WARMUP_ORDERS = Math.min(CUSTOMERS, Number(process.env.BENCH_WARMUP_ORDERS ?? 40))
const CATALOG_PRODUCTS = 50
const READ_TIMEOUT_MS = positiveNumber('BENCH_READ_TIMEOUT_S', 15) * 1000
const DATABASE_URI = process.env.BENCH_DATABASE_URI?.trim() || undefined
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
const PG_WAITS = process.env.BENCH_PG_WAITS === '1'
const LIST_PATH = '/api/products?limit=20&depth=1'
const HOT_SKU = 'SALE-HOT'
const HOT_TITLE = 'Flash sale kettle'
const PASSWORD = 'bench-pass-123'
const TARGETS = {
  ordersPerS: 150,
  checkoutP99Ms: 300,
  cachedOverBare: 0.5,
  duringOverQuiet: 0.5,
  uncachedP95Ms: 400,
}

// ---------------------------------------------------------------------------------------------
// The hot product's stock in an answer, without parsing 20 products per read: its sku is unique
// and `stock` follows `sku` in Payload's field order (checked against JSON.parse, see below).

const SKU_MARK = `"sku":"${HOT_SKU}"`
const STOCK_MARK = '"stock":'

function shownStock(body: string): number | undefined {
  const at = body.indexOf(SKU_MARK)
  if (at < 0) return undefined
  const stockAt = body.indexOf(STOCK_MARK, at)
  if (stockAt < 0) return undefined
  const value = Number.parseInt(body.slice(stockAt + STOCK_MARK.length, stockAt + STOCK_MARK.length + 12), 10)
  return Number.isFinite(value) ? value : undefined
}

function parsedStock(body: string): number | undefined {
  const parsed = JSON.parse(body) as { docs?: Json[] } & Json
  const docs = parsed.docs ?? [parsed]
  const hot = docs.find((doc) => doc.sku === HOT_SKU)
  return typeof hot?.stock === 'number' ? hot.stock : undefined
}

// ---------------------------------------------------------------------------------------------

const servers: Server[] = []
const say = (message: string) => process.stdout.write(`· ${message}\n`)
const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-')
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL')

type Sale = {
  seconds: number
  created: number
  conflicts: number
  emptyCart: number
  other: number
  p50: number
  p95: number
  p99: number
}

async function main(): Promise<void> {
  const tmp = await makeTempDir('bench-sale-')
  const databaseUri = DATABASE_URI ?? `file:${path.join(tmp, 'store.db')}`
  const kind = databaseUri.startsWith('postgres') ? 'postgresql' : 'sqlite'
  say(`database: ${kind}; redis: ${REDIS_URL || 'off (in-process cache)'}; starting the store…`)
  const store = await startStore({
    name: 'the store',
    databaseUri,
    mediaDir: path.join(tmp, 'media'),
    redisUrl: REDIS_URL,
    // 409s are part of a sale: keep them out of the output.
    logLevel: 'error',
    nodeFlags: benchNodeFlags(),
    output: 'capture',
    startTimeoutMs: 180_000,
  })
  servers.push(store)
  const api = jsonClient(store.url)
  const must = async (route: string, init: Parameters<typeof api>[1], expected = [200, 201]) => {
    const res = await api(route, init)
    if (!expected.includes(res.status))
      throw new Error(
        `${init?.method ?? (init?.json ? 'POST' : 'GET')} ${route}: ${res.status} ${JSON.stringify(res.body)}`,
      )
    return res.body
  }

  // --- catalog and customers
  const registered = await must('/api/users/first-register', {
    json: { email: 'sale-admin@example.test', password: PASSWORD, 'confirm-password': PASSWORD },
  })
  const adminToken = String(registered.token)
  const id = (body: Json) => (body.doc as Json).id as number | string
  const brands: (number | string)[] = []
  const categories: (number | string)[] = []
  for (const name of ['Northwind', 'Contoso', 'Fabrikam'])
    brands.push(id(await must('/api/brands', { token: adminToken, json: { name } })))
  for (const name of ['Kitchen', 'Garden', 'Workshop'])
    categories.push(id(await must('/api/categories', { token: adminToken, json: { name } })))
  const product = async (title: string, sku: string, stock: number, i: number) =>
    (
      await must('/api/products', {
        token: adminToken,
        json: {
          title,
          sku,
          price: 999 + i * 137,
          stock,
          status: 'published',
          brand: brands[i % brands.length],
          categories: [categories[i % categories.length], categories[(i + 1) % categories.length]],
        },
      })
    ).doc as Json
  await pool(
    Array.from({ length: CATALOG_PRODUCTS }, (_, i) => i),
    4,
    (i) => product(`Sale catalog ${i + 1}`, `SALE-${String(i + 1).padStart(3, '0')}`, 5 + (i % 40), i),
  )
  const warm = await product('Warm-up item', 'SALE-WARMUP', 1_000_000, CATALOG_PRODUCTS)
  // Created last, so the newest-first list shows it on its first page.
  const hot = await product(HOT_TITLE, HOT_SKU, STOCK, CATALOG_PRODUCTS + 1)
  const singlePath = `/api/products?where[slug][equals]=${encodeURIComponent(String(hot.slug))}&limit=1&depth=1`

  say(`creating ${CUSTOMERS} customers…`)
  const customers = await pool(
    Array.from({ length: CUSTOMERS }, (_, i) => i),
    8,
    async (i) => {
      const email = `sale-${i}@example.test`
      await must('/api/users', {
        token: adminToken,
        json: { email, password: PASSWORD, roles: ['customer'], _verified: true },
      })
      return String((await must('/api/users/login', { json: { email, password: PASSWORD } })).token)
    },
  )
  const checkout = (token: string) =>
    fetch(`${store.url}/api/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `JWT ${token}` },
      body: JSON.stringify({ paymentMethod: 'cod', shippingAddress: SHIPPING_ADDRESS }),
    })
  const fillCarts = (productId: number | string, buyers: string[]) =>
    pool(buyers, 8, (token) =>
      must('/api/carts/mine/items', { token, json: { product: productId, quantity: 1 } }),
    )
  if (WARMUP_ORDERS > 0) {
    say(`warm-up: ${WARMUP_ORDERS} checkouts of another product…`)
    const buyers = customers.slice(0, WARMUP_ORDERS)
    await fillCarts(warm.id as number | string, buyers)
    await pool(buyers, IN_FLIGHT, async (token) => {
      const res = await checkout(token)
      await res.arrayBuffer()
      if (res.status !== 201) throw new Error(`warm-up checkout answered ${res.status}`)
    })
  }
  await fillCarts(hot.id as number | string, customers)

  // --- the bodies the bare servers answer, and the stock extraction checked on them
  const bodyOf = async (route: string) => {
    const res = await fetch(store.url + route)
    const text = await res.text()
    if (res.status !== 200) throw new Error(`GET ${route}: ${res.status} ${text}`)
    return text
  }
  const listBody = await bodyOf(LIST_PATH)
  const singleBody = await bodyOf(singlePath)
  for (const [name, body] of [
    ['list', listBody],
    ['single product', singleBody],
  ] as const) {
    if (parsedStock(body) !== STOCK || shownStock(body) !== STOCK)
      throw new Error(
        `the ${name} answer does not show the hot product with stock ${STOCK}: ${body.slice(0, 500)}`,
      )
  }
  const startBare = async (name: string, body: string) => {
    const file = path.join(tmp, `${name}.json`)
    await writeFile(file, body)
    const server = await startServer({
      name: `bare ${name}`,
      script: 'bench/bare-server.ts',
      args: [file],
      readyPath: '/',
      output: 'capture',
    })
    servers.push(server)
    return server
  }
  const bareList = await startBare('list', listBody)
  const bareSingle = await startBare('single', singleBody)
  say(`list ${listBody.length} bytes, single product ${singleBody.length} bytes`)

  // --- reads and their checks
  let acked = 0
  // performance.now() of each acknowledged (201) checkout, in order.
  const ackTimes: number[] = []
  const ackedBefore = (time: number) => {
    let count = 0
    while (count < ackTimes.length && ackTimes[count]! < time) count++
    return count
  }
  let stale = 0
  let worstStale = 0
  let missing = 0
  let checked = 0
  const check = (body: string, sentAt: number) => {
    checked++
    const shown = checked % 97 === 0 ? parsedStock(body) : shownStock(body)
    if (shown === undefined) {
      missing++
      return
    }
    const allowed = STOCK - (acked === 0 ? 0 : ackedBefore(sentAt))
    if (shown > allowed) {
      stale++
      worstStale = Math.max(worstStale, shown - allowed)
    }
  }
  const anonymous = (readPath: string): ReadRequest => ({ path: readPath, check })
  const mixed = (connection: number) => anonymous(connection % 2 === 0 ? LIST_PATH : singlePath)
  const reads = (baseUrl: string, next: (connection: number) => ReadRequest, until: Promise<unknown>) =>
    runReads({ baseUrl, connections: CONNECTIONS, next, until, timeoutMs: READ_TIMEOUT_MS })
  const timed = (baseUrl: string, next: (connection: number) => ReadRequest) =>
    reads(baseUrl, next, sleep(SECONDS * 1000))

  say(`reads: warm-up, then ${SECONDS}s per phase at ${CONNECTIONS} connections…`)
  await reads(store.url, mixed, sleep(Math.min(3, SECONDS) * 1000))
  const results: [string, ReadStats][] = []
  const measure = async (name: string, run: () => Promise<ReadStats>) => {
    const stats = await run()
    results.push([name, stats])
    return stats
  }
  // Throughput against the bare server: autocannon, as bench:catalog, since the node:http client
  // above (which checks every answer) saturates a core before the bare server does.
  const cannon = async (url: string): Promise<ReadStats> => {
    const { raw, sorted, clientCpu } = await blast(url, CONNECTIONS, SECONDS, READ_TIMEOUT_MS / 1000)
    return {
      rps: raw.requests.average,
      seconds: raw.duration,
      answered: sorted.length,
      non2xx: raw.non2xx,
      errors: raw.errors,
      unanswered: raw.timeouts,
      p50: percentile(sorted, 50) ?? Number.NaN,
      p95: percentile(sorted, 95) ?? Number.NaN,
      p99: percentile(sorted, 99) ?? Number.NaN,
      max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
      clientCpu,
    }
  }
  const bareListStats = await measure('bare node:http, list bytes (autocannon)', () =>
    cannon(bareList.url + LIST_PATH),
  )
  const listStats = await measure('cached list, anonymous (autocannon)', () => cannon(store.url + LIST_PATH))
  const bareSingleStats = await measure('bare node:http, single bytes (autocannon)', () =>
    cannon(bareSingle.url + singlePath),
  )
  const singleStats = await measure('cached single product by slug (autocannon)', () =>
    cannon(store.url + singlePath),
  )
  // The checked reads' own connections, opened before they are measured.
  await reads(store.url, mixed, sleep(1000))
  const quiet = await measure('list + single, quiet (checked)', () => timed(store.url, mixed))

  // --- the sale
  say(`sale: ${CUSTOMERS} checkouts, ${IN_FLIGHT} in flight, while ${CONNECTIONS} connections read…`)
  const waits: WaitSampler | undefined =
    PG_WAITS && kind === 'postgresql' ? await sampleWaits(databaseUri, 50) : undefined
  const latencies: number[] = []
  const statuses = new Map<number, number>()
  let saleSeconds = 0
  const sale = (async () => {
    const started = performance.now()
    await pool(customers, IN_FLIGHT, async (token) => {
      const t0 = performance.now()
      let status: number
      try {
        const res = await checkout(token)
        status = res.status
        if (status === 201) {
          ackTimes.push(performance.now())
          acked++
        }
        await res.arrayBuffer()
      } catch {
        status = 0
      }
      latencies.push(performance.now() - t0)
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
    })
    saleSeconds = (performance.now() - started) / 1000
  })()
  const during = await measure('list + single, during the sale (checked)', () =>
    reads(store.url, mixed, sale),
  )
  const waitCounts = await waits?.stop()
  latencies.sort((a, b) => a - b)
  const saleResult: Sale = {
    seconds: saleSeconds,
    created: statuses.get(201) ?? 0,
    conflicts: statuses.get(409) ?? 0,
    emptyCart: statuses.get(400) ?? 0,
    other: [...statuses]
      .filter(([status]) => ![201, 409, 400].includes(status))
      .reduce((n, [, c]) => n + c, 0),
    p50: percentile(latencies, 50) ?? Number.NaN,
    p95: percentile(latencies, 95) ?? Number.NaN,
    p99: percentile(latencies, 99) ?? Number.NaN,
  }

  // --- after the sale: what the database says
  const final = await must(`/api/products/${String(hot.id)}?depth=0`, { token: adminToken })
  const sold = await must(`/api/orders?where[items.product][equals]=${String(hot.id)}&limit=0`, {
    token: adminToken,
  })
  const remaining = Number(final.stock)
  const ordersForHot = Number(sold.totalDocs)
  const oversell =
    Math.max(0, saleResult.created - STOCK) +
    Math.max(0, ordersForHot - STOCK) +
    Math.max(0, -remaining) +
    Math.abs(STOCK - remaining - ordersForHot)
  // A read after the sale must show exactly what is left.
  const after = shownStock(await bodyOf(LIST_PATH))
  if (after !== remaining) stale++

  // --- reads no cache answers
  let turn = 0
  const asCustomer = (readPath: string) => (): ReadRequest => ({
    path: readPath,
    headers: { authorization: `JWT ${customers[turn++ % customers.length]!}` },
  })
  const cart = await measure('customer cart (uncached)', () =>
    timed(store.url, asCustomer('/api/carts/mine')),
  )
  const orders = await measure('customer orders (uncached)', () =>
    timed(store.url, asCustomer('/api/orders?limit=10&sort=-createdAt&depth=0')),
  )
  const adminList = await measure('admin product list (uncached)', () =>
    timed(store.url, () => ({ path: LIST_PATH, headers: { authorization: `JWT ${adminToken}` } })),
  )

  // --- report
  const cpus = os.availableParallelism()
  const unanswered = results.reduce((n, [, stats]) => n + stats.unanswered, 0)
  const readErrors = results.reduce((n, [, stats]) => n + stats.errors + stats.non2xx, 0)
  console.log('')
  console.log(
    `flash sale — node ${process.version}, ${cpus} CPUs, ${kind}, redis ${REDIS_URL ? 'on' : 'off'}; ` +
      `${CUSTOMERS} customers × 1 of one product (stock ${STOCK}), ${IN_FLIGHT} checkouts in flight; ` +
      `${CONNECTIONS} read connections, ${SECONDS}s per read phase; load generators (autocannon; node:http for the checked reads) on the same machine`,
  )
  console.log(`load average (1 min) at the end: ${os.loadavg()[0]!.toFixed(2)}`)
  console.log('')
  const rows = [
    [
      'reads',
      'req/s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'answers',
      'errors',
      'non-2xx',
      'unanswered',
      'client CPU',
    ],
    ...results.map(([name, s]) => [
      name,
      fixed(s.rps),
      fixed(s.p50, 1),
      fixed(s.p95, 1),
      fixed(s.p99, 1),
      fixed(s.max, 0),
      String(s.answered),
      String(s.errors),
      String(s.non2xx),
      String(s.unanswered),
      `${Math.round(s.clientCpu * 100)}%`,
    ]),
  ]
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)))
  for (const row of rows)
    console.log(
      row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
    )
  console.log('')
  const ordersPerS = saleResult.created / saleResult.seconds
  const listOverBare = listStats.rps / bareListStats.rps
  const singleOverBare = singleStats.rps / bareSingleStats.rps
  const duringOverQuiet = during.rps / quiet.rps
  console.log(
    `checkouts: ${fixed(ordersPerS, 1)} orders/s over ${fixed(saleResult.seconds, 2)}s; latency p50 ${fixed(saleResult.p50)} ms, ` +
      `p95 ${fixed(saleResult.p95)} ms, p99 ${fixed(saleResult.p99)} ms; 201 × ${saleResult.created}, 409 × ${saleResult.conflicts}, ` +
      `400 × ${saleResult.emptyCart}, other × ${saleResult.other}`,
  )
  console.log(
    `hot product: stock ${STOCK} → ${remaining}, orders containing it ${ordersForHot}, OVERSELL ${oversell}`,
  )
  console.log(
    `reads: cached list / bare ${fixed(listOverBare, 2)}, single / bare ${fixed(singleOverBare, 2)}, ` +
      `during / quiet ${fixed(duringOverQuiet, 2)} (${fixed(quiet.rps)} → ${fixed(during.rps)} req/s)`,
  )
  console.log(
    `STALE READS ${stale} (worst: ${worstStale} units more than acknowledged checkouts allow; ${checked} answers checked), ` +
      `answers without the hot product ${missing}, unanswered reads ${unanswered} (timeout ${READ_TIMEOUT_MS / 1000}s)`,
  )
  if (waitCounts) {
    const total = [...waitCounts.states.values()].reduce((a, b) => a + b, 0)
    console.log(`pg_stat_activity during the sale (${total} session samples, every 50 ms):`)
    const top = (map: Map<string, number>, count: number) =>
      [...map].sort((a, b) => b[1] - a[1]).slice(0, count)
    for (const [key, count] of top(waitCounts.states, 12))
      console.log(`  ${fixed((count / total) * 100, 1).padStart(5)} %  ${key}`)
    console.log('  statements of the sessions waiting on a lock or idle in a transaction:')
    for (const [key, count] of top(waitCounts.statements, 8))
      console.log(`  ${fixed((count / total) * 100, 1).padStart(5)} %  ${key}`)
  }
  console.log('')
  const targets: [string, boolean][] = [
    [`orders/s ≥ ${TARGETS.ordersPerS} (${fixed(ordersPerS, 1)})`, ordersPerS >= TARGETS.ordersPerS],
    [
      `checkout p99 ≤ ${TARGETS.checkoutP99Ms} ms (${fixed(saleResult.p99)})`,
      saleResult.p99 <= TARGETS.checkoutP99Ms,
    ],
    [`oversell = 0 (${oversell})`, oversell === 0],
    [
      `cached list ≥ ${TARGETS.cachedOverBare} of bare (${fixed(listOverBare, 2)})`,
      listOverBare >= TARGETS.cachedOverBare,
    ],
    [
      `single product ≥ ${TARGETS.cachedOverBare} of bare (${fixed(singleOverBare, 2)})`,
      singleOverBare >= TARGETS.cachedOverBare,
    ],
    [
      `admin list p95 ≤ ${TARGETS.uncachedP95Ms} ms (${fixed(adminList.p95)})`,
      adminList.p95 <= TARGETS.uncachedP95Ms,
    ],
    [
      `reads during the sale ≥ ${TARGETS.duringOverQuiet} of quiet (${fixed(duringOverQuiet, 2)})`,
      duringOverQuiet >= TARGETS.duringOverQuiet,
    ],
    [`no read unanswered (${unanswered})`, unanswered === 0],
    [`no stale read (${stale})`, stale === 0],
    [
      `customer cart p95 ≤ ${TARGETS.uncachedP95Ms} ms (${fixed(cart.p95)})`,
      cart.p95 <= TARGETS.uncachedP95Ms,
    ],
    [
      `customer orders p95 ≤ ${TARGETS.uncachedP95Ms} ms (${fixed(orders.p95)})`,
      orders.p95 <= TARGETS.uncachedP95Ms,
    ],
  ]
  for (const [name, ok] of targets) console.log(`${verdict(ok)}  ${name}`)

  const round = (value: number, digits = 1) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null)
  const readSummary = (s: ReadStats) => ({
    rps: round(s.rps),
    p50: round(s.p50),
    p95: round(s.p95),
    p99: round(s.p99),
    unanswered: s.unanswered,
    errors: s.errors + s.non2xx,
  })
  console.log(
    `SALE_RESULT ${JSON.stringify({
      database: kind,
      customers: CUSTOMERS,
      stock: STOCK,
      inFlight: IN_FLIGHT,
      ordersPerS: round(ordersPerS),
      checkout: {
        created: saleResult.created,
        conflicts: saleResult.conflicts,
        emptyCart: saleResult.emptyCart,
        other: saleResult.other,
        p50: round(saleResult.p50),
        p95: round(saleResult.p95),
        p99: round(saleResult.p99),
      },
      remaining,
      ordersForHot,
      oversell,
      stale,
      missing,
      unanswered,
      readErrors,
      bareList: readSummary(bareListStats),
      bareSingle: readSummary(bareSingleStats),
      list: readSummary(listStats),
      single: readSummary(singleStats),
      quiet: readSummary(quiet),
      during: readSummary(during),
      cart: readSummary(cart),
      orders: readSummary(orders),
      adminList: readSummary(adminList),
      ratios: {
        listOverBare: round(listOverBare, 3),
        singleOverBare: round(singleOverBare, 3),
        duringOverQuiet: round(duringOverQuiet, 3),
      },
      pgWaits: waitCounts ? Object.fromEntries(waitCounts.states) : undefined,
    })}`,
  )
  if (oversell > 0 || stale > 0 || missing > 0 || unanswered > 0 || readErrors > 0 || saleResult.other > 0)
    process.exitCode = 1
}

try {
  await main()
} catch (error) {
  console.error(
    `\nbenchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  )
  for (const server of servers) {
    if (server.log()) console.error(`\n--- ${server.name} output ---\n${server.log().slice(-4000)}`)
  }
  process.exitCode = 1
} finally {
  await cleanUp()
}
process.exit(process.exitCode ?? 0)
