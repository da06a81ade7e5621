import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { chromium } from 'playwright-core'

import { createTestDatabase } from './helpers/database'
import type { TestDatabase } from './helpers/database'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { CHROMIUM, describeIf, freePort } from './helpers/services'

// `npm start` as a user runs it: a separate process, NODE_ENV=production, an empty database.

const root = path.resolve(import.meta.dirname, '..')
const SECRET = 'production-test-secret-0123456789abcdef'
const ADMIN = { email: 'operator@example.test', password: 'operator-pass-123' }

let database: TestDatabase
let child: ChildProcess
let exited: Promise<number | null>
let output = ''
let url = ''
let api: Api

function startProduction(env: Record<string, string>): {
  child: ChildProcess
  exited: Promise<number | null>
} {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const done = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  return { child: proc, exited: done }
}

async function waitForHealth(base: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`server did not come up:\n${output}`)
}

beforeAll(async () => {
  database = await createTestDatabase()
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'store-prod-'))
  mkdirSync(path.join(tmp, 'media'))
  const port = await freePort()
  url = `http://127.0.0.1:${port}`
  ;({ child, exited } = startProduction({
    PORT: String(port),
    HOST: '127.0.0.1',
    PAYLOAD_SECRET: SECRET,
    DATABASE_URI: database.uri,
    MEDIA_DIR: path.join(tmp, 'media'),
    SERVER_URL: url,
    LOG_LEVEL: 'info',
    REDIS_URL: '',
    SMTP_HOST: '',
  }))
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  await waitForHealth(url)
  api = client(url)
}, 90_000)

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL')
    await exited
  }
  await database?.drop()
})

describe('npm start on an empty database', () => {
  it('creates the schema itself and is ready', async () => {
    expect(output).toMatch(/Migrat/)
    const ready = await api<{ status: string }>('/api/ready')
    expect(ready.status).toBe(200)
    // The users table exists: access control answers, not a database error.
    expect((await api('/api/users')).status).toBe(403)
  })
})

describeIf(CHROMIUM !== undefined, 'Chromium (Debian package chromium)')(
  'the admin UI in a real browser',
  () => {
    it('shows the first-user screen, creates the operator and opens the dashboard', async () => {
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      })
      try {
        const page = await browser.newPage()
        const problems: string[] = []
        page.on('pageerror', (error) => problems.push(error.message))
        page.on('console', (message) => {
          if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
            problems.push(message.text())
        })
        await page.goto(`${url}/admin`)
        await page.waitForURL(/\/admin\/create-first-user/, { timeout: 30_000 })
        await page.locator('#field-email').fill(ADMIN.email)
        await page.locator('#field-password').fill(ADMIN.password)
        await page.locator('#field-confirm-password').fill(ADMIN.password)
        mkdirSync(path.join(root, 'test-results'), { recursive: true })
        await page.screenshot({ path: path.join(root, 'test-results', 'admin-create-first-user.png') })
        await page.locator('button[type="submit"]').click()
        await page.waitForURL((target) => target.pathname === '/admin', { timeout: 30_000 })
        await page.getByText('Users', { exact: false }).first().waitFor({ timeout: 30_000 })
        await page.screenshot({ path: path.join(root, 'test-results', 'admin-dashboard.png') })
        expect(problems).toEqual([])
      } finally {
        await browser.close()
      }
      const users = await fetch(`${url}/api/users/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(ADMIN),
      })
      expect(users.status).toBe(200)
      const body = (await users.json()) as { user: { roles: string[] } }
      expect(body.user.roles).toEqual(['admin'])
    }, 120_000)
  },
)

describe('the request log', () => {
  it('has one line per request with method, path, status, duration and id, and no secrets', async () => {
    // Without the browser test the operator does not exist yet.
    await api('/api/users/first-register', { json: { ...ADMIN, 'confirm-password': ADMIN.password } })
    const login = await api<{ token: string }>('/api/users/login?secret=query-value', {
      json: ADMIN,
      headers: { 'X-Request-Id': 'log-check-1' },
    })
    expect(login.status).toBe(200)
    await api('/api/users/me', {
      token: login.body.token,
      headers: { Cookie: `payload-token=${login.body.token}` },
    })
    await new Promise((resolve) => setTimeout(resolve, 300))

    const lines = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map(
        (line) =>
          JSON.parse(line) as {
            req?: { id: string; method: string; path: string }
            res?: { status: number }
            durationMs?: number
          },
      )
    const entry = lines.find((line) => line.req?.id === 'log-check-1')
    expect(entry).toMatchObject({ req: { method: 'POST', path: '/api/users/login' }, res: { status: 200 } })
    expect(typeof entry?.durationMs).toBe('number')
    expect(lines.filter((line) => line.req?.id === 'log-check-1')).toHaveLength(1)
    expect(output).not.toContain(ADMIN.password)
    expect(output).not.toContain(login.body.token)
    expect(output).not.toContain('query-value')
  })
})

describe('SIGTERM', () => {
  it('stops accepting, finishes the request in flight, closes and exits 0', async () => {
    const body = JSON.stringify(ADMIN)
    const { port } = new URL(url)
    const socket = net.connect(Number(port), '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    let answer = ''
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()))
    const closed = new Promise((resolve) => socket.once('close', resolve))
    socket.write(
      `POST /api/users/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    )
    socket.write(body.slice(0, 10))
    await new Promise((resolve) => setTimeout(resolve, 200))

    child.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 500))
    const refused = await fetch(`${url}/api/health`).then(
      () => false,
      () => true,
    )
    expect(refused).toBe(true)

    socket.write(body.slice(10))
    await closed
    expect(answer).toMatch(/^HTTP\/1\.1 200/)
    expect(await exited).toBe(0)
    expect(output).toMatch(/shutdown complete/)
  }, 30_000)
})

describe('configuration errors stop the process with the variable named', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PAYLOAD_SECRET: SECRET,
        DATABASE_URI: 'file:/tmp/never-opened.db',
        ...env,
      },
      encoding: 'utf8',
      timeout: 30_000,
    })

  it.each([
    [{ PAYLOAD_SECRET: '' }, 'PAYLOAD_SECRET'],
    [{ PAYLOAD_SECRET: 'short' }, 'PAYLOAD_SECRET'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ DATABASE_URI: 'mysql://localhost/store' }, 'DATABASE_URI'],
    [{ CORS_ORIGINS: 'not a url' }, 'CORS_ORIGINS'],
    [{ CURRENCY: 'US Dollar' }, 'CURRENCY'],
  ])('%j', (env, name) => {
    const result = run(env)
    expect(result.status).toBe(1)
    expect(result.stderr).toContain(name)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })
})
