import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { createTestDatabase } from './database'
import type { TestDatabase } from './database'
import { UNLIMITED } from './server'
import { freePort } from './services'

export const root = path.resolve(import.meta.dirname, '../..')
export const PRODUCTION_SECRET = 'production-test-secret-0123456789abcdef'

/**
 * `npm start` without npm: the production export condition makes lexical resolve to its
 * production build directly instead of its top-level-await wrapper, which can leave the import
 * unsettled on Node 20 (the process then exits 13 before logging anything).
 */
export const SERVER_ARGS = ['--conditions=production', '--import', 'tsx', 'src/server.ts']

export type ProductionServer = {
  /** `http://127.0.0.1:<port>` */
  url: string
  port: number
  /** Everything the process wrote to stdout and stderr so far. */
  output: () => string
  child: ChildProcess
  /** Resolves with the exit code once the process has exited and its output is complete. */
  exited: Promise<number | null>
  database: TestDatabase
  mediaDir: string
  /** Kills the process if it still runs (SIGKILL), then drops the database and the temp folder. */
  stop: () => Promise<void>
}

/**
 * `npm start` as a user runs it: a separate process with NODE_ENV=production (so the built admin UI
 * and the committed migrations), on a fresh empty database (TEST_DATABASE_URI's kind), uploads in a
 * temp folder, on a free port of 127.0.0.1. Resolves once `/api/health` answers. `env` is laid over
 * the defaults; an `undefined` value removes that variable.
 */
export async function startProductionServer(
  env: Record<string, string | undefined> = {},
  { timeoutMs = 60_000 }: { timeoutMs?: number } = {},
): Promise<ProductionServer> {
  const database = await createTestDatabase()
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'store-prod-'))
  const mediaDir = path.join(tmp, 'media')
  mkdirSync(mediaDir)
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`

  const merged: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    PORT: String(port),
    HOST: '127.0.0.1',
    PAYLOAD_SECRET: PRODUCTION_SECRET,
    DATABASE_URI: database.uri,
    MEDIA_DIR: mediaDir,
    SERVER_URL: url,
    LOG_LEVEL: 'info',
    REDIS_URL: '',
    SMTP_HOST: '',
    ...UNLIMITED,
    ...env,
  }
  const childEnv = Object.fromEntries(
    Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ) as NodeJS.ProcessEnv

  const child = spawn(process.execPath, SERVER_ARGS, {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  // 'close', not 'exit': by then everything the process wrote has been read.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
    await database.drop()
    rmSync(tmp, { recursive: true, force: true })
  }

  try {
    await waitForHealth(url, exited, () => output, timeoutMs)
  } catch (error) {
    await stop()
    throw error
  }
  return { url, port, output: () => output, child, exited, database, mediaDir, stop }
}

async function waitForHealth(
  base: string,
  exited: Promise<number | null>,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  let exitCode: number | null | undefined
  void exited.then((code) => (exitCode = code))
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`server exited (${exitCode}) before it was up:\n${output()}`)
    try {
      if ((await fetch(`${base}/api/health`)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`server did not come up within ${timeoutMs} ms:\n${output()}`)
}
