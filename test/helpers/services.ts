import { describe } from '@jest/globals'
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import net from 'node:net'

/** CI sets TEST_REQUIRE_SERVICES=1: there a missing service fails the run instead of skipping. */
export const servicesRequired = process.env.TEST_REQUIRE_SERVICES === '1'

export function available(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0
}

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((file) => existsSync(file))

/** `describe` when the tool exists (or CI requires it), else a visible skip naming what is missing. */
export function describeIf(condition: boolean, what: string): typeof describe | typeof describe.skip {
  if (condition || servicesRequired) return describe
  console.warn(`skipping: ${what} is not available here (CI runs it)`)
  return describe.skip
}

// One copy for the tests and the benchmarks.
export { freePort } from './store/process'

/** A private redis-server this test may stop and start at will (the shared one stays untouched). */
export class PrivateRedis {
  private process: ChildProcess | undefined
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  async start(): Promise<void> {
    this.process = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    )
    for (let attempt = 0; attempt < 50; attempt++) {
      if (await canConnect(this.port)) return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error('redis-server did not start')
  }

  async stop(): Promise<void> {
    const child = this.process
    // Killed by a signal, a process has a signalCode and no exitCode: already stopped either way.
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve())
      child.kill('SIGKILL')
    })
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

export async function eventually<T>(
  check: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last = await check()
  while (!accept(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    last = await check()
  }
  return last
}
