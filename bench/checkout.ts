import os from 'node:os'
import path from 'node:path'

import { makeTempDir, removeTempDir } from '../test/helpers/store/cleanup'
import { startStore } from '../test/helpers/store/process'
import {
  benchNodeFlags,
  jsonClient,
  machineCpuMs,
  percentile,
  pool,
  processCpuMs,
  SHIPPING_ADDRESS,
} from './lib'
import type { Json } from './lib'

// Checkout benchmark: N customers checking out concurrently, first each buying a product of their
// own (no contention), then all buying one product with stock for half of them (contention).
// Prints orders/s, p50/p99 latency and the oversell count, which must be 0.
//
//   npm run bench:checkout                                  # SQLite in a temp dir
//   BENCH_DATABASE_URI=postgres://…/empty_db npm run bench:checkout
//   BENCH_CUSTOMERS=400 BENCH_CONCURRENCY=40 BENCH_WARMUP=0 BENCH_ROUNDS=1 npm run bench:checkout

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 200)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20)
// Checkouts before the measured phases, by the same customers: the first requests through a path
// run in V8's interpreter and fill Payload's and drizzle's caches, which a running store has done long ago.
const WARMUP = Math.min(CUSTOMERS, Number(process.env.BENCH_WARMUP ?? 200))
// The no-contention phase is this many rounds of every customer checking out once: one round of
// 200 lasts ~2 s, too short for a steady figure.
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3))
const DATABASE_URI = process.env.BENCH_DATABASE_URI?.trim() || undefined
const TARGET_ORDERS_PER_S = 100

type Phase = {
  /** Server CPU per successful order, ms. */
  serverCpuPerOrder: number
  /** Share of both cores busy during the phase, server included. */
  machineBusy: number
  name: string
  ok: number
  conflicts: number
  errors: number
  seconds: number
  p50: number
  p99: number
}

async function main(): Promise<void> {
  const tmp = await makeTempDir('bench-checkout-')
  const databaseUri = DATABASE_URI ?? `file:${path.join(tmp, 'store.db')}`
  const server = await startStore({
    name: 'the server',
    databaseUri,
    mediaDir: path.join(tmp, 'media'),
    redisUrl: process.env.BENCH_REDIS_URL ?? '',
    // 409s are the point of the contention phase: keep them out of the output.
    logLevel: 'error',
    nodeFlags: benchNodeFlags(),
    output: 'inherit',
    startTimeoutMs: 120_000,
  })
  const api = jsonClient(server.url)
  try {
    const admin = await api('/api/users/first-register', {
      json: {
        email: 'bench-admin@example.test',
        password: 'bench-pass-123',
        'confirm-password': 'bench-pass-123',
      },
    })
    const adminToken = String(admin.body.token)
    const product = async (sku: string, stock: number) =>
      (
        await api('/api/products', {
          token: adminToken,
          json: { title: sku, sku, price: 1000, stock, status: 'published' },
        })
      ).body.doc as Json

    process.stdout.write(`setting up ${CUSTOMERS} customers…\n`)
    const customers = await pool(
      Array.from({ length: CUSTOMERS }, (_, i) => i),
      8,
      async (i) => {
        const email = `bench-${i}-${Date.now()}@example.test`
        const created = await api('/api/users', {
          token: adminToken,
          json: { email, password: 'bench-pass-123', roles: ['customer'], _verified: true },
        })
        if (created.status !== 201)
          throw new Error(`customer: ${created.status} ${JSON.stringify(created.body)}`)
        const login = await api('/api/users/login', { json: { email, password: 'bench-pass-123' } })
        return String(login.body.token)
      },
    )

    /**
     * `rounds` times: every buyer fills their cart (not timed), then all check out, CONCURRENCY
     * at a time (timed). The figures are over the timed parts of all rounds together.
     */
    const run = async (
      name: string,
      productFor: (i: number) => Promise<Json>,
      { count = customers.length, rounds = 1 }: { count?: number; rounds?: number } = {},
    ): Promise<Phase> => {
      // One checkout per customer at a time: each has one cart.
      const buyers = customers.slice(0, count)
      const products = await pool(
        buyers.map((_, i) => i),
        8,
        productFor,
      )
      const latencies: number[] = []
      let ok = 0
      let conflicts = 0
      let errors = 0
      let seconds = 0
      let serverCpu = 0
      const machine = { busy: 0, total: 0 }
      for (let round = 0; round < rounds; round++) {
        await pool(
          buyers.map((token, i) => [token, products[i]?.id] as const),
          8,
          ([token, id]) => api('/api/carts/mine/items', { token, json: { product: id, quantity: 1 } }),
        )
        const started = performance.now()
        const serverCpu0 = processCpuMs(server.process.pid) ?? 0
        const machine0 = machineCpuMs() ?? { busy: 0, total: 0 }
        await pool(buyers, CONCURRENCY, async (token) => {
          const t0 = performance.now()
          const res = await api('/api/checkout', {
            token,
            json: { paymentMethod: 'cod', shippingAddress: SHIPPING_ADDRESS },
          })
          latencies.push(performance.now() - t0)
          if (res.status === 201) ok++
          else if (res.status === 409) conflicts++
          else errors++
        })
        seconds += (performance.now() - started) / 1000
        serverCpu += (processCpuMs(server.process.pid) ?? 0) - serverCpu0
        const machine1 = machineCpuMs() ?? { busy: 0, total: 0 }
        machine.busy += machine1.busy - machine0.busy
        machine.total += machine1.total - machine0.total
      }
      latencies.sort((a, b) => a - b)
      return {
        serverCpuPerOrder: ok ? serverCpu / ok : 0,
        machineBusy: machine.busy / Math.max(1, machine.total),
        name,
        ok,
        conflicts,
        errors,
        seconds,
        p50: percentile(latencies, 50) ?? 0,
        p99: percentile(latencies, 99) ?? 0,
      }
    }

    const warmup =
      WARMUP > 0
        ? await run(
            `warm-up (not counted: ${WARMUP} orders)`,
            (i) => product(`WARM-${i}-${Date.now()}`, 1000),
            { count: WARMUP },
          )
        : undefined
    const free = await run(
      `no contention (one product each, ${ROUNDS} rounds)`,
      (i) => product(`FREE-${i}-${Date.now()}`, 1000),
      { rounds: ROUNDS },
    )
    const stock = Math.floor(CUSTOMERS / 2)
    const hot = await product(`HOT-${Date.now()}`, stock)
    const contended = await run(`contention (one product, stock ${stock})`, async () => hot)

    const after = (await api(`/api/products/${String(hot.id)}`, { token: adminToken })).body
    const sold = await api(`/api/orders?where[items.product][equals]=${String(hot.id)}&limit=0`, {
      token: adminToken,
    })
    const ordersForHot = Number(sold.body.totalDocs)
    const remaining = Number(after.stock)
    const oversell =
      Math.max(0, ordersForHot - stock) + Math.max(0, -remaining) + Math.abs(stock - remaining - ordersForHot)

    const kind = databaseUri.startsWith('postgres')
      ? 'postgresql'
      : databaseUri.startsWith('mongodb')
        ? 'mongodb'
        : 'sqlite'
    process.stdout.write(
      `\ncheckout benchmark — node ${process.version}, ${os.cpus().length} cores, ${kind}, `,
    )
    process.stdout.write(`${CUSTOMERS} customers, ${CONCURRENCY} concurrent checkouts\n\n`)
    process.stdout.write(
      'phase                                          orders  409s  errors  orders/s  p50 ms  p99 ms  server CPU ms/order  machine busy\n',
    )
    for (const phase of [...(warmup ? [warmup] : []), free, contended]) {
      const rate = phase.ok / phase.seconds
      process.stdout.write(
        `${phase.name.padEnd(46)} ${String(phase.ok).padStart(6)} ${String(phase.conflicts).padStart(5)} ${String(phase.errors).padStart(7)} ` +
          `${rate.toFixed(1).padStart(9)} ${phase.p50.toFixed(1).padStart(7)} ${phase.p99.toFixed(1).padStart(7)} ` +
          `${phase.serverCpuPerOrder.toFixed(1).padStart(20)} ${(phase.machineBusy * 100).toFixed(0).padStart(12)}%\n`,
      )
    }
    process.stdout.write(
      `\nhot product: stock ${stock} → ${remaining}, orders containing it ${ordersForHot}, oversell ${oversell}\n`,
    )
    const freeRate = free.ok / free.seconds
    process.stdout.write(
      `target ≥ ${TARGET_ORDERS_PER_S} orders/s without contention: ${freeRate >= TARGET_ORDERS_PER_S ? 'PASS' : 'FAIL'} (${freeRate.toFixed(1)})\n`,
    )
    process.stdout.write(`oversell = 0: ${oversell === 0 ? 'PASS' : 'FAIL'}\n`)
    if (oversell !== 0 || free.errors + contended.errors > 0 || contended.ok !== stock) process.exitCode = 1
  } finally {
    await server.stop()
    await removeTempDir(tmp)
  }
}

await main()
