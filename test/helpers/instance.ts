import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import path from 'node:path'

import { client } from './http'
import { UNLIMITED } from './server'
import type { Api } from './http'
import { eventually, freePort } from './services'

const root = path.resolve(import.meta.dirname, '../..')

export type Instance = {
  child: ChildProcess
  api: Api
  url: string
  output: () => string
  stop: () => Promise<void>
}

/**
 * Another server instance in its own process, API only, with this process's environment (so
 * the same database, secret and Redis as the in-process server) plus `env`.
 */
export async function startInstance(env: Record<string, string> = {}): Promise<Instance> {
  const port = await freePort()
  let output = ''
  const child = spawn(process.execPath, ['--conditions=production', '--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: {
      ...UNLIMITED,
      ...process.env,
      LOG_LEVEL: 'warn',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      SERVE_ADMIN: 'false',
      NODE_ENV: 'test',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = `http://127.0.0.1:${port}`
  const up = await eventually(
    () =>
      fetch(`${url}/api/ready`).then(
        (res) => res.ok,
        () => false,
      ),
    (ok) => ok || child.exitCode !== null,
    90_000,
  )
  if (!up) {
    child.kill('SIGKILL')
    throw new Error(`the second instance did not start (exit ${child.exitCode}):\n${output}`)
  }
  return {
    child,
    api: client(url),
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}
