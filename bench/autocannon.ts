import { createRequire } from 'node:module'

// autocannon (9.0.0 ships no types): the part of its programmatic API the benchmarks use.

export type Percentiles = {
  average: number
  mean: number
  p50: number
  p99: number
  min: number
  max: number
}
export type AutocannonResult = {
  requests: Percentiles & { total: number }
  latency: Percentiles
  errors: number
  timeouts: number
  non2xx: number
  duration: number
  statusCodeStats: Record<string, { count: number }>
}
export type AutocannonOptions = {
  url: string
  connections: number
  pipelining: number
  duration: number
  timeout: number
  headers?: Record<string, string>
}
export type Instance = PromiseLike<AutocannonResult> & {
  on(
    event: 'response',
    listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void,
  ): void
  stop(): void
}
export const autocannon = createRequire(import.meta.url)('autocannon') as (
  options: AutocannonOptions,
) => Instance

/**
 * `connections` connections on `url` for `seconds`, with percentiles from every response time
 * autocannon measured (its own histogram floors them to whole milliseconds).
 */
export async function blast(
  url: string,
  connections: number,
  seconds: number,
  timeoutS: number,
): Promise<{ raw: AutocannonResult; sorted: Float64Array; clientCpu: number }> {
  let times = new Float64Array(1 << 16)
  let count = 0
  const cpuBefore = process.cpuUsage()
  const instance = autocannon({ url, connections, pipelining: 1, duration: seconds, timeout: timeoutS })
  instance.on('response', (_client, _status, _bytes, ms) => {
    if (count === times.length) {
      const bigger = new Float64Array(times.length * 2)
      bigger.set(times)
      times = bigger
    }
    times[count++] = ms
  })
  const raw = await instance
  const cpu = process.cpuUsage(cpuBefore)
  return {
    raw,
    sorted: times.slice(0, count).sort(),
    clientCpu: (cpu.user + cpu.system) / 1000 / (raw.duration * 1000),
  }
}
