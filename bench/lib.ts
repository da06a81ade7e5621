import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

// What the benchmarks share: env parsing, small async helpers, /proc CPU readers, and starting the
// store (or another script) as a child process that nothing outlives.

/** The repository root: children run from here so their relative paths resolve as in `npm start`. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

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

/** A port free on 127.0.0.1 right now (another process could still take it before the child does). */
export async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

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

// ---------------------------------------------------------------------------------------------
// Clean-up: one registry, so no child process or temp dir outlives the benchmark however it ends.

// Children and temp dirs leave these sets as they exit or are removed.
const children = new Set<Child>()
const tempDirs = new Set<string>()
let handlersInstalled = false

function installHandlers(): void {
  if (handlersInstalled) return
  handlersInstalled = true
  // On 'exit' only synchronous work runs: SIGKILL is the last resort.
  process.on('exit', () => {
    for (const child of children) if (child.running) child.process.kill('SIGKILL')
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping the child processes and removing the temp dirs`)
      void cleanUp().finally(() => process.exit(130))
    })
  }
}

/** Stops every child still running, then removes the temp dirs (which may hold their databases). */
export async function cleanUp(): Promise<void> {
  await Promise.all([...children].map((child) => child.stop()))
  const dirs = [...tempDirs]
  tempDirs.clear()
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
}

/** A fresh directory under the OS temp dir, removed by cleanUp() or at exit if not before. */
export async function makeTempDir(prefix: string): Promise<string> {
  installHandlers()
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix))
  tempDirs.add(dir)
  return dir
}

export async function removeTempDir(dir: string): Promise<void> {
  tempDirs.delete(dir)
  await rm(dir, { recursive: true, force: true })
}

// ---------------------------------------------------------------------------------------------
// Child processes

export type ChildOptions = {
  /** Captured output is kept in memory (its last `logChars` characters) for error messages. */
  output?: 'inherit' | 'capture'
  logChars?: number
  /** How long stop() waits after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number
}

/** A child process in the clean-up registry, with its output (when captured) and a stop(). */
export class Child {
  readonly exited: Promise<void>
  private output = ''
  private ended = false
  private readonly stopTimeoutMs: number

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
    options: ChildOptions = {},
  ) {
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000
    const logChars = options.logChars ?? 20_000
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-logChars)
    }
    this.process.stdout?.on('data', keep)
    this.process.stderr?.on('data', keep)
    installHandlers()
    children.add(this)
    this.exited = new Promise((resolve) => {
      const end = () => {
        this.ended = true
        children.delete(this)
        resolve()
      }
      this.process.once('exit', end)
      // A child that could not be spawned (e.g. ENOENT) emits 'error' and never 'exit'.
      this.process.on('error', () => {
        if (this.process.pid === undefined) end()
      })
    })
  }

  get running(): boolean {
    return !this.ended && this.process.exitCode === null && this.process.signalCode === null
  }

  /** How it ended, for messages: exit code or signal. */
  get status(): string {
    return String(this.process.exitCode ?? this.process.signalCode ?? 'not started')
  }

  /** The captured output, trimmed; empty when there is none or it went to the terminal. */
  log(): string {
    return this.output.trim()
  }

  /** SIGTERM, and SIGKILL if it has not exited after the stop timeout. */
  async stop(): Promise<void> {
    if (this.running) {
      this.process.kill('SIGTERM')
      const killer = setTimeout(() => this.running && this.process.kill('SIGKILL'), this.stopTimeoutMs)
      await this.exited
      clearTimeout(killer)
    }
  }
}

/** Spawns `command` in the clean-up registry. */
export function spawnChild(
  name: string,
  command: string,
  args: string[],
  options: ChildOptions & { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Child {
  const capture = options.output === 'capture'
  const child = spawn(command, args, {
    cwd: options.cwd ?? root,
    env: options.env ?? process.env,
    stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
  })
  return new Child(name, child, options)
}

export type ScriptOptions = ChildOptions & {
  name: string
  /** A TypeScript entry point, relative to the repository root. */
  script: string
  args?: string[]
  /** Added to this process's environment. */
  env?: Record<string, string>
  /** Node flags before `--conditions=production`, e.g. --expose-gc or BENCH_NODE_FLAGS. */
  nodeFlags?: string[]
  /** Modules to --import after tsx (so they may be TypeScript), e.g. ./bench/memory-probe.ts. */
  imports?: string[]
}

/** Runs a TypeScript script with node the way `npm start` does. */
export function spawnScript(options: ScriptOptions): Child {
  // --conditions=production as in `npm start`: lexical's `node` entry wraps its build in a top-level
  // await that sometimes never settles on Node 20 (exit 13 before start-up; see the README).
  const args = [
    ...(options.nodeFlags ?? []),
    '--conditions=production',
    '--import',
    'tsx',
    ...(options.imports ?? []).flatMap((module) => ['--import', module]),
    options.script,
    ...(options.args ?? []),
  ]
  return spawnChild(options.name, process.execPath, args, {
    ...options,
    env: { ...process.env, ...options.env },
  })
}

/** A child that serves HTTP on 127.0.0.1. */
export type Server = Child & { readonly url: string; readonly port: number }

export type ServerOptions = ScriptOptions & {
  /** Polled until it answers 2xx. */
  readyPath: string
  startTimeoutMs?: number
}

/** Starts a script on a free port (in PORT) and waits until `readyPath` answers; kills it on failure. */
export async function startServer(options: ServerOptions): Promise<Server> {
  const port = await freePort()
  const child = spawnScript({ ...options, env: { ...options.env, PORT: String(port) } })
  const url = `http://127.0.0.1:${port}`
  const timeoutMs = options.startTimeoutMs ?? 180_000
  const withLog = () => (options.output === 'capture' ? `:\n${child.log() || '(no output)'}` : '')
  const deadline = Date.now() + timeoutMs
  let failure: string | undefined
  while (!failure) {
    if (!child.running) failure = `${child.name} exited (${child.status}) before it was ready`
    else if (Date.now() >= deadline) failure = `${child.name} was not ready after ${timeoutMs / 1000} s`
    else {
      // A bounded fetch: a server that accepts but never answers must not outlast the deadline.
      const ok = await fetch(url + options.readyPath, { signal: AbortSignal.timeout(10_000) }).then(
        (res) => res.ok,
        () => false,
      )
      if (ok) return Object.assign(child, { url, port })
      await sleep(250)
    }
  }
  if (child.running) child.process.kill('SIGKILL')
  await child.exited
  throw new Error(failure + withLog())
}

export type StoreEnv = {
  databaseUri: string
  mediaDir: string
  /** Empty: no Redis (in-process cache, rate limits and socket adapter). */
  redisUrl: string
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug'
}

/** The environment of src/server.ts as a production store under benchmark. */
export function storeEnv(store: StoreEnv): Record<string, string> {
  return {
    NODE_ENV: 'production',
    PAYLOAD_SECRET: 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz',
    SERVE_ADMIN: 'false',
    HOST: '127.0.0.1',
    LOG_LEVEL: store.logLevel ?? 'warn',
    DATABASE_URI: store.databaseUri,
    MEDIA_DIR: store.mediaDir,
    REDIS_URL: store.redisUrl,
    // One client address sends everything: the production per-IP limits are not under test.
    RATE_LIMIT_AUTH_MAX: '1000000',
    RATE_LIMIT_CHECKOUT_MAX: '1000000',
  }
}

export type StoreOptions = StoreEnv &
  ChildOptions &
  Pick<ServerOptions, 'nodeFlags' | 'imports' | 'startTimeoutMs'> & {
    name: string
    /** Bench-specific variables, over storeEnv()'s. */
    env?: Record<string, string>
  }

/** Starts src/server.ts as a production store on a free port, ready once /api/ready answers. */
export function startStore(options: StoreOptions): Promise<Server> {
  return startServer({
    ...options,
    script: 'src/server.ts',
    readyPath: '/api/ready',
    env: { ...storeEnv(options), ...options.env },
  })
}
