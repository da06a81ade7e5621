import http from 'node:http'

import { percentile } from './lib'

// A closed-loop read load generator on plain node:http keep-alive sockets: N connections, each
// sending its next GET as soon as the previous answer is complete. Unlike autocannon it hands every
// answer's body and the moment its request was sent to the caller (the flash-sale benchmark checks
// each read against the checkouts acknowledged before it was sent), and it waits for the requests
// still in flight when the phase ends, so a read that is never answered is counted, not dropped.

export type ReadRequest = {
  path: string
  headers?: Record<string, string>
  /** Called with every 2xx answer's body; `sentAt` is performance.now() when the request was written. */
  check?: (body: string, sentAt: number) => void
}

export type ReadOptions = {
  baseUrl: string
  connections: number
  /** The request connection `connection` sends next (called once per request). */
  next: (connection: number) => ReadRequest
  /** The phase ends when this settles; requests still in flight are then awaited (up to the timeout). */
  until: Promise<unknown>
  /** A request unanswered after this long is aborted and counted as unanswered. */
  timeoutMs: number
}

export type ReadStats = {
  /** Answers completed within the phase, per second of it. */
  rps: number
  seconds: number
  answered: number
  non2xx: number
  errors: number
  unanswered: number
  p50: number
  p95: number
  p99: number
  max: number
  /** CPU this process (the load generator, and whatever else it runs) used, share of one core. */
  clientCpu: number
}

export async function runReads(options: ReadOptions): Promise<ReadStats> {
  const base = new URL(options.baseUrl)
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections })
  let latencies = new Float64Array(1 << 14)
  let latencyCount = 0
  let answeredInPhase = 0
  let non2xx = 0
  let errors = 0
  let unanswered = 0
  let stopping = false
  const started = performance.now()
  const cpuBefore = process.cpuUsage()

  // The request each connection has in flight, for the sweep that aborts the overdue ones.
  const inFlight: ({ sentAt: number; request: http.ClientRequest; overdue: boolean } | undefined)[] =
    new Array(options.connections)
  const sweep = setInterval(() => {
    const now = performance.now()
    for (const entry of inFlight) {
      if (entry && !entry.overdue && now - entry.sentAt > options.timeoutMs) {
        entry.overdue = true
        unanswered++
        entry.request.destroy()
      }
    }
  }, 100)

  const record = (ms: number) => {
    if (latencyCount === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2)
      bigger.set(latencies)
      latencies = bigger
    }
    latencies[latencyCount++] = ms
  }

  const send = (connection: number, spec: ReadRequest): Promise<void> =>
    new Promise((resolve) => {
      const sentAt = performance.now()
      const entry = { sentAt, request: undefined as unknown as http.ClientRequest, overdue: false }
      let done = false
      // Exactly one outcome per request, whichever of end, error and close comes first.
      const finish = (outcome: () => void) => {
        if (done) return
        done = true
        inFlight[connection] = undefined
        if (!entry.overdue) outcome()
        resolve()
      }
      entry.request = http.get(
        { host: base.hostname, port: base.port, path: spec.path, agent, headers: spec.headers },
        (response) => {
          const chunks: Buffer[] = []
          response.on('data', (chunk: Buffer) => chunks.push(chunk))
          response.on('end', () =>
            finish(() => {
              record(performance.now() - sentAt)
              if (!stopping) answeredInPhase++
              const status = response.statusCode ?? 0
              if (status < 200 || status > 299) non2xx++
              else spec.check?.(Buffer.concat(chunks).toString('utf8'), sentAt)
            }),
          )
          response.on('error', () => finish(() => errors++))
          response.on('close', () => finish(() => errors++))
        },
      )
      entry.request.on('error', () => finish(() => errors++))
      entry.request.on('close', () => finish(() => errors++))
      inFlight[connection] = entry
    })

  const loops = Array.from({ length: options.connections }, async (_, connection) => {
    while (!stopping) await send(connection, options.next(connection))
  })
  await options.until
  stopping = true
  const ended = performance.now()
  await Promise.all(loops)
  clearInterval(sweep)
  agent.destroy()
  const cpu = process.cpuUsage(cpuBefore)

  const sorted = latencies.slice(0, latencyCount).sort()
  const seconds = (ended - started) / 1000
  return {
    rps: answeredInPhase / seconds,
    seconds,
    answered: latencyCount,
    non2xx,
    errors,
    unanswered,
    p50: percentile(sorted, 50) ?? Number.NaN,
    p95: percentile(sorted, 95) ?? Number.NaN,
    p99: percentile(sorted, 99) ?? Number.NaN,
    max: latencyCount ? sorted[latencyCount - 1]! : Number.NaN,
    clientCpu: (cpu.user + cpu.system) / 1000 / (performance.now() - started),
  }
}
