import type { ChildProcess } from 'node:child_process'

import { client } from '../http'
import type { Api } from '../http'
import { UNLIMITED, storeEnv } from './env'
import { STORE_SCRIPT, startServer } from './process'

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
  const server = await startServer({
    name: 'the second instance',
    script: STORE_SCRIPT,
    readyPath: '/api/ready',
    startTimeoutMs: 90_000,
    output: 'capture',
    logChars: Infinity,
    env: {
      // The limits this process runs with, if it set its own.
      ...UNLIMITED,
      ...process.env,
      LOG_LEVEL: 'warn',
      ...env,
      ...storeEnv({ nodeEnv: 'test', admin: false, host: '127.0.0.1' }),
    },
  })
  return {
    child: server.process,
    api: client(server.url),
    url: server.url,
    output: () => server.log(),
    stop: () => server.stop(),
  }
}
