import { readFileSync } from 'node:fs'

import { cleanUpOnSignals } from '../test/helpers/store/cleanup'

// What the benchmarks share: env parsing, small async helpers and /proc CPU readers. Starting the
// store (or another script) as a child process is test/helpers/store/, as for the tests.

// Ctrl-C during a benchmark stops its stores and removes their temp dirs.
cleanUpOnSignals()

export type Json = Record<string, unknown>

/** Where the benchmarks' cash-on-delivery orders go. */
export const SHIPPING_ADDRESS = {
  name: 'Bench Buyer',
  line1: '1 Load Street',
  city: 'Testville',
  postalCode: '12345',
  country: 'us',
}

// ---------------------------------------------------------------------------------------------
// Environment

/** A positive number from the environment (fractions allowed), or `fallback` when unset or empty. */
export function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name]?.trim()
  if (!raw) return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${raw}`)
  return value
}

/** A whole number ≥ 1 from the environment, or `fallback` when unset or empty. */
export function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name]?.trim()
  if (!raw) return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`)
  return value
}

/** BENCH_NODE_FLAGS, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof', split for a store's command line. */
export function benchNodeFlags(): string[] {
  return process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []
}

// ---------------------------------------------------------------------------------------------
// Small helpers

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs `work` for every item with at most `limit` in flight; results keep the items' order. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++
        results[index] = await work(items[index] as T, index)
      }
    }),
  )
  return results
}

/**
 * Nearest-rank percentile of ascending `sorted`: the smallest value with at least p % of the values
 * at or below it, so p99 of 100 values is the 99th, not the maximum. Undefined when empty, since
 * benchmarks differ in what they print then.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number | undefined {
  if (sorted.length === 0) return undefined
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1]
}

/** Requests to the store's REST API as JSON; the answer's status and parsed body (`{}` if not JSON). */
export function jsonClient(baseUrl: string) {
  return async (
    route: string,
    init: { token?: string; json?: unknown; method?: string } = {},
  ): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${baseUrl}${route}`, {
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

// ---------------------------------------------------------------------------------------------
// CPU time from /proc (Linux only: undefined elsewhere), so a phase can say where its time went.

// /proc reports ticks of USER_HZ, which is 100 on every mainstream kernel.
const TICK_MS = 10

/** CPU time (user + system, ms) process `pid` has used so far. */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: count fields from its last ')'.
    // utime and stime are fields 14 and 15 of stat(5); fields[] starts at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS
    return Number.isFinite(ms) ? ms : undefined
  } catch {
    return undefined
  }
}

/** CPU time (ms) the whole machine has spent so far, over all cores: busy, and busy + idle. */
export function machineCpuMs(): { busy: number; total: number } | undefined {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/)
    // user nice system idle iowait irq softirq steal guest guest_nice: guest time is already
    // counted in user and nice, so it is left out rather than counted twice.
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] =
      ticks.map(Number)
    const busy = user + nice + system + irq + softirq + steal
    return { busy: busy * TICK_MS, total: (busy + idle + iowait) * TICK_MS }
  } catch {
    return undefined
  }
}
