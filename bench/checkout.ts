import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

// Checkout benchmark: N customers checking out concurrently, first each buying a product of their
// own (no contention), then all buying one product with stock for half of them (contention).
// Prints orders/s, p50/p99 latency and the oversell count, which must be 0.
//
//   npm run bench:checkout                                  # SQLite in a temp dir
//   BENCH_DATABASE_URI=postgres://…/empty_db npm run bench:checkout
//   BENCH_CUSTOMERS=400 BENCH_CONCURRENCY=40 BENCH_WARMUP=0 npm run bench:checkout

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 200)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20)
// Checkouts before the measured phases, by the same customers: the first requests through a path
// run in V8's interpreter and fill Payload's and drizzle's caches, which a running store has done long ago.
const WARMUP = Math.min(CUSTOMERS, Number(process.env.BENCH_WARMUP ?? 200))
const DATABASE_URI = process.env.BENCH_DATABASE_URI?.trim() || undefined
const TARGET_ORDERS_PER_S = 100
const ADDRESS = {
  name: 'Bench Buyer',
  line1: '1 Load Street',
  city: 'Testville',
  postalCode: '12345',
  country: 'us',
}

type Json = Record<string, unknown>

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function startServer(
  databaseUri: string,
  mediaDir: string,
): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort()
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
      '--conditions=production',
      '--import',
      'tsx',
      'src/server.ts',
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PAYLOAD_SECRET: 'bench-secret-0123456789abcdefghijklmnop',
        DATABASE_URI: databaseUri,
        MEDIA_DIR: mediaDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        SERVE_ADMIN: 'false',
        // 409s are the point of the contention phase: keep them out of the output.
        LOG_LEVEL: 'error',
        REDIS_URL: process.env.BENCH_REDIS_URL ?? '',
        // One client address logs in and checks out every customer: limits are not under test.
        RATE_LIMIT_AUTH_MAX: '1000000',
        RATE_LIMIT_CHECKOUT_MAX: '1000000',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  )
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/api/ready`).then(
      (res) => res.ok,
      () => false,
    )
    if (ok) return { url, child }
    if (child.exitCode !== null) break
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  child.kill('SIGKILL')
  throw new Error('the server did not start')
}

function client(url: string) {
  return async (route: string, init: { token?: string; json?: unknown; method?: string } = {}) => {
    const res = await fetch(`${url}${route}`, {
      method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
      headers: {
        ...(init.json === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(init.token ? { Authorization: `JWT ${init.token}` } : {}),
      },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    })
    const body = (await res.json().catch(() => ({}))) as Json
    return { status: res.status, body }
  }
}

/** Runs `work` for every item with at most `limit` in flight. */
async function pool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++
        results[index] = await work(items[index] as T)
      }
    }),
  )
  return results
}

const percentile = (sorted: number[], p: number): number =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0) : 0

// CPU time from /proc (Linux): the server's own, and the whole machine's (PostgreSQL, this
// load generator and anything else), so a phase says where its time went.
const TICK_MS = 10
function processCpuMs(pid: number | undefined): number {
  if (!pid) return 0
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS
  } catch {
    return 0
  }
}
function machineCpuMs(): { busy: number; total: number } {
  try {
    const ticks = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/\s+/).slice(1).map(Number)
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0)
    const total = ticks.reduce((sum, value) => sum + value, 0)
    return { busy: (total - idle) * TICK_MS, total: total * TICK_MS }
  } catch {
    return { busy: 0, total: 0 }
  }
}

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
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-checkout-'))
  const databaseUri = DATABASE_URI ?? `file:${path.join(tmp, 'store.db')}`
  const { url, child } = await startServer(databaseUri, path.join(tmp, 'media'))
  const api = client(url)
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

    const run = async (
      name: string,
      productFor: (i: number) => Promise<Json>,
      count = customers.length,
    ): Promise<Phase> => {
      // One checkout per customer in a phase: each has one cart.
      const buyers = customers.slice(0, count)
      const products = await pool(
        buyers.map((_, i) => i),
        8,
        productFor,
      )
      await pool(
        buyers.map((token, i) => [token, products[i]?.id] as const),
        8,
        ([token, id]) => api('/api/carts/mine/items', { token, json: { product: id, quantity: 1 } }),
      )
      const latencies: number[] = []
      let ok = 0
      let conflicts = 0
      let errors = 0
      const started = performance.now()
      const serverCpu0 = processCpuMs(child.pid)
      const machine0 = machineCpuMs()
      await pool(buyers, CONCURRENCY, async (token) => {
        const t0 = performance.now()
        const res = await api('/api/checkout', {
          token,
          json: { paymentMethod: 'cod', shippingAddress: ADDRESS },
        })
        latencies.push(performance.now() - t0)
        if (res.status === 201) ok++
        else if (res.status === 409) conflicts++
        else errors++
      })
      const seconds = (performance.now() - started) / 1000
      const serverCpu = processCpuMs(child.pid) - serverCpu0
      const machine1 = machineCpuMs()
      latencies.sort((a, b) => a - b)
      return {
        serverCpuPerOrder: ok ? serverCpu / ok : 0,
        machineBusy: (machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total),
        name,
        ok,
        conflicts,
        errors,
        seconds,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
      }
    }

    const warmup =
      WARMUP > 0
        ? await run(
            `warm-up (not counted: ${WARMUP} orders)`,
            (i) => product(`WARM-${i}-${Date.now()}`, 1000),
            WARMUP,
          )
        : undefined
    const free = await run('no contention (one product each)', (i) =>
      product(`FREE-${i}-${Date.now()}`, 1000),
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
      'phase                                      orders  409s  errors  orders/s  p50 ms  p99 ms  server CPU ms/order  machine busy\n',
    )
    for (const phase of [...(warmup ? [warmup] : []), free, contended]) {
      const rate = phase.ok / phase.seconds
      process.stdout.write(
        `${phase.name.padEnd(42)} ${String(phase.ok).padStart(6)} ${String(phase.conflicts).padStart(5)} ${String(phase.errors).padStart(7)} ` +
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
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    await rm(tmp, { recursive: true, force: true })
  }
}

await main()
