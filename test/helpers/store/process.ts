import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { registerChild, unregisterChild } from './cleanup'
import { BENCH_SECRET, UNLIMITED, layerEnv, storeEnv } from './env'
import type { EnvLayer } from './env'

// Child processes for tests and benchmarks: the store (or another script) started the way
// `npm start` starts it, with its output kept, readiness polled and a stop() that always ends it.

/** The repository root: children run from here so their relative paths resolve as in `npm start`. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

/** The store's entry point, as `npm start` runs it. */
export const STORE_SCRIPT = 'src/server.ts'

/** A port free on 127.0.0.1 right now (another process could still take it before the child does). */
export async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/**
 * node's arguments to run a TypeScript `script` as `npm start` does, without npm: the production
 * export condition makes lexical resolve to its production build directly instead of its
 * top-level-await wrapper, which can leave the import unsettled on Node 20 (the process then
 * exits 13 before logging anything).
 */
export function nodeArgs(
  script: string,
  {
    nodeFlags = [],
    imports = [],
    args = [],
  }: { nodeFlags?: string[]; imports?: string[]; args?: string[] } = {},
): string[] {
  return [
    ...nodeFlags,
    '--conditions=production',
    '--import',
    'tsx',
    ...imports.flatMap((module) => ['--import', module]),
    script,
    ...args,
  ]
}

export type ChildOptions = {
  /** Captured output is kept in memory (its last `logChars` characters) for messages and checks. */
  output?: 'inherit' | 'capture'
  logChars?: number
  /** How long stop() waits after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number
}

/** A child process in the clean-up registry, with its output (when captured) and a stop(). */
export class Child {
  /** The exit code (null after a signal) once the process has exited and its output is complete. */
  readonly exited: Promise<number | null>
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
    registerChild(this)
    this.exited = new Promise((resolve) => {
      const end = (code: number | null) => {
        this.ended = true
        unregisterChild(this)
        resolve(code)
      }
      // 'close', not 'exit': by then everything the process wrote has been read.
      this.process.once('close', (code) => end(code))
      // A child that could not be spawned (e.g. ENOENT) emits 'error' and may never close.
      this.process.on('error', () => {
        if (this.process.pid === undefined) end(null)
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

  /** SIGKILL: no shutdown at all. */
  async kill(): Promise<void> {
    if (this.running) this.process.kill('SIGKILL')
    await this.exited
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
  /** Laid over this process's environment; an undefined value removes the variable. */
  env?: EnvLayer
  /** Node flags before `--conditions=production`, e.g. --expose-gc or BENCH_NODE_FLAGS. */
  nodeFlags?: string[]
  /** Modules to --import after tsx (so they may be TypeScript), e.g. ./bench/memory-probe.ts. */
  imports?: string[]
}

/** Runs a TypeScript script with node the way `npm start` does. */
export function spawnScript(options: ScriptOptions): Child {
  return spawnChild(options.name, process.execPath, nodeArgs(options.script, options), {
    ...options,
    env: layerEnv(process.env, options.env ?? {}),
  })
}

/** A child that serves HTTP on 127.0.0.1. */
export type Server = Child & { readonly url: string; readonly port: number }

export type ServerOptions = ScriptOptions & {
  /** Polled until it answers 2xx. */
  readyPath: string
  startTimeoutMs?: number
  /** The port it is told to listen on (PORT); a free one when not given. */
  port?: number
}

/** Starts a script on a port (in PORT) and waits until `readyPath` answers; kills it on failure. */
export async function startServer(options: ServerOptions): Promise<Server> {
  const port = options.port ?? (await freePort())
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
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
  await child.kill()
  throw new Error(failure + withLog())
}

export type StoreEnv = {
  databaseUri: string
  mediaDir: string
  /** Empty: no Redis (in-process cache, rate limits and socket adapter). */
  redisUrl: string
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug'
}

/** The environment of src/server.ts as a production store under benchmark, API only. */
export function benchStoreEnv(store: StoreEnv): Record<string, string> {
  return {
    ...storeEnv({
      nodeEnv: 'production',
      secret: BENCH_SECRET,
      admin: false,
      host: '127.0.0.1',
      logLevel: store.logLevel ?? 'warn',
      databaseUri: store.databaseUri,
      mediaDir: store.mediaDir,
      redisUrl: store.redisUrl,
    }),
    ...UNLIMITED,
  }
}

export type StoreOptions = StoreEnv &
  ChildOptions &
  Pick<ServerOptions, 'nodeFlags' | 'imports' | 'startTimeoutMs'> & {
    name: string
    /** Bench-specific variables, over benchStoreEnv()'s. */
    env?: Record<string, string>
  }

/** Starts src/server.ts as a production store on a free port, ready once /api/ready answers. */
export function startStore(options: StoreOptions): Promise<Server> {
  return startServer({
    ...options,
    script: STORE_SCRIPT,
    readyPath: '/api/ready',
    env: { ...benchStoreEnv(options), ...options.env },
  })
}
