import { writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import { cleanUp, makeTempDir } from '../test/helpers/store/cleanup'
import { startServer, startStore } from '../test/helpers/store/process'
import type { Server } from '../test/helpers/store/process'
import { blast } from './autocannon'
import type { AutocannonResult } from './autocannon'
import { benchNodeFlags, machineCpuMs, percentile, positiveNumber, processCpuMs } from './lib'

// Catalog read benchmark: the cached server (catalog cache layer in front of Express), the same
// server with CATALOG_CACHE=false (Express + Payload + the database on every request), and a bare
// node:http server answering the same bytes (the ceiling on this machine). Every target is its own
// child process; autocannon runs here, in this process, and shares the machine's cores with them.
//
//   npm run bench:catalog                 # SQLite in a temp dir, Redis on 127.0.0.1:6379
//   BENCH_SECONDS=20 npm run bench:catalog
//   BENCH_DATABASE_URI=postgres://…/empty_db npm run bench:catalog
//   BENCH_REDIS_URL= npm run bench:catalog   # empty: in-process cache only
//   BENCH_CONNECTIONS=10 npm run bench:catalog  # other than the default 50 connections
//   BENCH_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench:catalog  # profile the servers

const BENCH_PATH = '/api/products?limit=20&depth=1'
const CONNECTIONS = Math.round(positiveNumber('BENCH_CONNECTIONS', 50))
const WARMUP_SECONDS = 3
// autocannon's default (10 s) would abort the uncached server's slowest answers, which are slow
// but successful (its tail reaches several seconds under 50 connections): measure them instead.
// An answer that takes longer than this still counts as an error.
const REQUEST_TIMEOUT_S = 60
const START_TIMEOUT_MS = 180_000
const SECONDS = positiveNumber('BENCH_SECONDS', 10)
const DATABASE_URI = process.env.BENCH_DATABASE_URI?.trim() || undefined
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
// Extra flags for the two store servers, e.g. BENCH_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
const NODE_FLAGS = benchNodeFlags()
const TARGETS = { bareOverCached: 0.5, cachedOverUncached: 10, cachedP99Ms: 10 }

// ---------------------------------------------------------------------------------------------
// The three targets

let tmpDir: string | undefined
// Every target started, for their output when the benchmark fails.
const servers: Server[] = []

async function startTarget(
  name: string,
  databaseUri: string,
  extra: Record<string, string>,
): Promise<Server> {
  const server = await startStore({
    name,
    databaseUri,
    mediaDir: path.join(tmpDir!, 'media'),
    redisUrl: REDIS_URL,
    logLevel: 'warn',
    env: extra,
    nodeFlags: NODE_FLAGS,
    output: 'capture',
    startTimeoutMs: START_TIMEOUT_MS,
  })
  servers.push(server)
  return server
}

// ---------------------------------------------------------------------------------------------
// Catalog through the REST API

async function api<T>(base: string, route: string, json: unknown, token?: string): Promise<T> {
  const res = await fetch(`${base}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `JWT ${token}` } : {}) },
    body: JSON.stringify(json),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`POST ${route} answered ${res.status}: ${text}`)
  return JSON.parse(text) as T
}

async function populate(base: string): Promise<{ brands: number; categories: number; products: number }> {
  const email = 'bench-admin@example.com'
  const password = 'bench-password-0123456789'
  const registered = await api<{ token?: string }>(base, '/api/users/first-register', {
    email,
    password,
    'confirm-password': password,
  })
  const token =
    registered.token ?? (await api<{ token: string }>(base, '/api/users/login', { email, password })).token
  if (!token) throw new Error('first-register gave no token')

  type Created = { doc: { id: number | string } }
  const brands: (number | string)[] = []
  const categories: (number | string)[] = []
  for (const name of ['Northwind', 'Contoso', 'Fabrikam']) {
    brands.push((await api<Created>(base, '/api/brands', { name }, token)).doc.id)
  }
  for (const name of ['Kitchen', 'Garden', 'Workshop']) {
    categories.push((await api<Created>(base, '/api/categories', { name }, token)).doc.id)
  }
  const PRODUCTS = 60
  for (let i = 0; i < PRODUCTS; i++) {
    await api<Created>(
      base,
      '/api/products',
      {
        title: `Bench product ${i + 1}`,
        sku: `BENCH-${String(i + 1).padStart(3, '0')}`,
        price: 999 + i * 137,
        stock: 5 + (i % 40),
        status: 'published',
        brand: brands[i % brands.length],
        categories: [categories[i % categories.length], categories[(i + 1) % categories.length]],
      },
      token,
    )
  }
  return { brands: brands.length, categories: categories.length, products: PRODUCTS }
}

async function get(url: string): Promise<{ status: number; cache: string | null; body: Buffer }> {
  const res = await fetch(url)
  return { status: res.status, cache: res.headers.get('x-cache'), body: Buffer.from(await res.arrayBuffer()) }
}

// ---------------------------------------------------------------------------------------------
// Load

type Measurement = {
  target: string
  rps: number
  p50: number
  p99: number
  max: number
  requests: number
  errors: number
  non2xx: number
  serverCpu?: number
  benchCpu: number
  /** Busy CPU not charged to the server or autocannon: other processes, and kernel work (part of the loopback networking) no process is charged for. */
  restCpu?: number
}

async function load(
  url: string,
  duration: number,
  pid?: number,
): Promise<Measurement & { raw: AutocannonResult }> {
  const serverBefore = processCpuMs(pid)
  const machineBefore = machineCpuMs()?.busy
  const { raw, sorted, clientCpu } = await blast(url, CONNECTIONS, duration, REQUEST_TIMEOUT_S)
  const serverAfter = processCpuMs(pid)
  const machineAfter = machineCpuMs()?.busy
  const count = sorted.length
  const wall = raw.duration * 1000
  return {
    target: url,
    rps: raw.requests.average,
    p50: percentile(sorted, 50) ?? Number.NaN,
    p99: percentile(sorted, 99) ?? Number.NaN,
    max: count ? sorted[count - 1]! : Number.NaN,
    requests: raw.requests.total,
    errors: raw.errors + raw.timeouts,
    non2xx: raw.non2xx,
    serverCpu:
      serverBefore === undefined || serverAfter === undefined
        ? undefined
        : (serverAfter - serverBefore) / wall,
    benchCpu: clientCpu,
    restCpu:
      machineBefore === undefined ||
      machineAfter === undefined ||
      serverBefore === undefined ||
      serverAfter === undefined
        ? undefined
        : // Tick granularity can make it slightly negative when nothing else ran.
          Math.max(0, machineAfter - machineBefore - (serverAfter - serverBefore) - clientCpu * wall) / wall,
    raw,
  }
}

function assertClean(name: string, phase: string, result: Measurement & { raw: AutocannonResult }): void {
  if (result.errors === 0 && result.non2xx === 0) return
  const codes = Object.entries(result.raw.statusCodeStats)
    .map(([code, { count }]) => `${code}×${count}`)
    .join(', ')
  throw new Error(
    `${name} (${phase}): ${result.errors} errors/timeouts and ${result.non2xx} non-2xx responses (status codes: ${codes || 'none'})`,
  )
}

// ---------------------------------------------------------------------------------------------

function describeDatabase(uri: string): string {
  if (uri.startsWith('file:')) return 'sqlite (temp file)'
  const kind = uri.split(':')[0]
  try {
    const parsed = new URL(uri)
    if (parsed.password) parsed.password = '***'
    return `${kind} (${parsed.toString()})`
  } catch {
    return kind ?? uri
  }
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '-')
const percent = (value: number | undefined) => (value === undefined ? '-' : `${Math.round(value * 100)}%`)

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  const line = (row: string[]) =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
  const [head, ...body] = rows
  return [
    line(head!).join('  '),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...body.map((row) => line(row).join('  ')),
  ].join('\n')
}

async function main(): Promise<void> {
  tmpDir = await makeTempDir('store-bench-')
  const databaseUri = DATABASE_URI ?? `file:${path.join(tmpDir, 'store.db')}`
  const say = (message: string) => console.log(`· ${message}`)

  say(`database: ${describeDatabase(databaseUri)}; redis: ${REDIS_URL || 'off (in-process cache)'}`)
  const loadBefore = os.loadavg()[0]!
  say('starting the cached server (migrations run on the empty database)…')
  let started = Date.now()
  const cached = await startTarget('cached server', databaseUri, { CATALOG_CACHE: 'true' })
  say(`cached server ready on ${cached.url} in ${((Date.now() - started) / 1000).toFixed(1)}s`)

  started = Date.now()
  const made = await populate(cached.url)
  say(
    `created ${made.brands} brands, ${made.categories} categories, ${made.products} products in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  )

  say('starting the uncached server (CATALOG_CACHE=false) on the same database…')
  const uncached = await startTarget('uncached server', databaseUri, { CATALOG_CACHE: 'false' })

  const first = await get(cached.url + BENCH_PATH)
  if (first.status !== 200) throw new Error(`GET ${BENCH_PATH} answered ${first.status}: ${first.body}`)
  const bodyFile = path.join(tmpDir, 'body.json')
  await writeFile(bodyFile, first.body)
  const docs = (JSON.parse(first.body.toString()) as { docs: unknown[]; totalDocs: number }).docs.length
  say(`response: ${first.body.length} bytes, ${docs} products (x-cache: ${first.cache})`)

  const bare = await startServer({
    name: 'bare server',
    script: 'bench/bare-server.ts',
    args: [bodyFile],
    readyPath: BENCH_PATH,
    output: 'capture',
    startTimeoutMs: START_TIMEOUT_MS,
  })
  servers.push(bare)

  // Warm the cache and check that the three targets answer the same thing.
  let warm = first
  for (let i = 0; i < 5; i++) warm = await get(cached.url + BENCH_PATH)
  if (warm.cache !== 'HIT')
    throw new Error(`the cached server does not answer from its cache: x-cache ${warm.cache}`)
  const plain = await get(uncached.url + BENCH_PATH)
  const fromBare = await get(bare.url + BENCH_PATH)
  if (plain.status !== 200) throw new Error(`uncached server answered ${plain.status}`)
  if (plain.cache !== null)
    throw new Error(`uncached server still has a cache layer (x-cache ${plain.cache})`)
  const same = (a: Buffer, b: Buffer) => (a.equals(b) ? 'identical' : 'DIFFERENT')
  say(
    `cache warm (x-cache: HIT); bodies vs the first answer: cached ${same(warm.body, first.body)}, uncached ${same(plain.body, first.body)}, bare ${same(fromBare.body, first.body)}`,
  )

  const targets: [string, Server][] = [
    ['bare node:http', bare],
    ['cached', cached],
    ['uncached', uncached],
  ]
  const results: Measurement[] = []
  for (const [name, server] of targets) {
    const url = server.url + BENCH_PATH
    say(`${name}: warm-up ${WARMUP_SECONDS}s, then ${SECONDS}s × ${CONNECTIONS} connections…`)
    assertClean(name, 'warm-up', await load(url, WARMUP_SECONDS, server.process.pid))
    const result = await load(url, SECONDS, server.process.pid)
    assertClean(name, 'run', result)
    results.push({ ...result, target: name })
  }
  const after = await get(cached.url + BENCH_PATH)
  if (after.cache !== 'HIT') throw new Error(`the cache was not HIT after the run (x-cache ${after.cache})`)

  const [bareResult, cachedResult, uncachedResult] = results as [Measurement, Measurement, Measurement]
  const cpus = os.availableParallelism()
  console.log('')
  console.log(`GET ${BENCH_PATH} — ${CONNECTIONS} connections, pipelining 1, ${SECONDS}s per target`)
  console.log(
    `node ${process.version}, ${cpus} CPU${cpus === 1 ? '' : 's'} (${os.cpus()[0]?.model.trim() ?? 'unknown'}), ` +
      `database ${describeDatabase(databaseUri)}, redis ${REDIS_URL ? `on (${REDIS_URL})` : 'off (in-process cache)'}`,
  )
  console.log(`body ${first.body.length} bytes; load generator (autocannon) shares the CPUs with the server`)
  const loadAfter = os.loadavg()[0]!
  console.log(
    `load average (1 min): ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after` +
      (results.some((row) => (row.restCpu ?? 0) > 0.5)
        ? '  ⚠ other work was running on this machine (see "rest")'
        : ''),
  )
  console.log('')
  console.log(
    table([
      [
        'target',
        'req/s (avg)',
        'p50 ms',
        'p99 ms',
        'max ms',
        'requests',
        'errors',
        'non-2xx',
        'server CPU',
        'autocannon CPU',
        'rest CPU',
      ],
      ...results.map((row) => [
        row.target,
        fixed(row.rps, 0),
        fixed(row.p50, 2),
        fixed(row.p99, 2),
        fixed(row.max, 1),
        String(row.requests),
        String(row.errors),
        String(row.non2xx),
        percent(row.serverCpu),
        percent(row.benchCpu),
        percent(row.restCpu),
      ]),
    ]),
  )
  console.log(
    '(CPU: share of one core over the run, 200% = both cores; rest = the machine busy otherwise, other processes' +
      ' and kernel network work charged to no process. p50/p99/max from every response time autocannon measured.)',
  )
  console.log('')
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL')
  const overBare = cachedResult.rps / bareResult.rps
  const overUncached = cachedResult.rps / uncachedResult.rps
  console.log(
    `cached / bare throughput      ${fixed(overBare, 3).padStart(7)}   target ≥ ${TARGETS.bareOverCached}   ${verdict(overBare >= TARGETS.bareOverCached)}`,
  )
  console.log(
    `cached / uncached throughput  ${fixed(overUncached, 1).padStart(7)}   target ≥ ${TARGETS.cachedOverUncached}    ${verdict(overUncached >= TARGETS.cachedOverUncached)}`,
  )
  console.log(
    `cached p99 latency (ms)       ${fixed(cachedResult.p99, 2).padStart(7)}   target ≤ ${TARGETS.cachedP99Ms}    ${verdict(cachedResult.p99 <= TARGETS.cachedP99Ms)}`,
  )
}

let exitCode = 0
try {
  await main()
} catch (error) {
  console.error(`\nbenchmark failed: ${error instanceof Error ? error.message : String(error)}`)
  // At LOG_LEVEL=warn a server's output is its warnings and errors: usually the reason.
  for (const server of servers) {
    if (server.log()) console.error(`\n--- ${server.name} output ---\n${server.log().slice(-4000)}`)
  }
  exitCode = 1
} finally {
  await cleanUp()
}
process.exit(exitCode)
