import { spawnSync } from 'node:child_process'

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

import { launchChromium, screenshot, watchProblems } from './helpers/browser'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { PRODUCTION_SECRET as SECRET } from './helpers/store/env'
import { root } from './helpers/store/process'
import { SERVER_ARGS, startProductionServer } from './helpers/store/production'
import type { ProductionServer } from './helpers/store/production'
import { CHROMIUM, describeIf } from './helpers/services'

// `npm start` as a user runs it: a separate process, NODE_ENV=production, an empty database.

const ADMIN = { email: 'operator@example.test', password: 'operator-pass-123' }

let server: ProductionServer
let url = ''
let api: Api

beforeAll(async () => {
  server = await startProductionServer()
  url = server.url
  api = client(url)
}, 90_000)

afterAll(async () => {
  await server?.stop()
})

describe('npm start on an empty database', () => {
  it('creates the schema itself and is ready', async () => {
    expect(server.output()).toMatch(/Migrat/)
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
      const browser = await launchChromium()
      try {
        const page = await browser.newPage()
        const problems = watchProblems(page)
        await page.goto(`${url}/admin`)
        await page.waitForURL(/\/admin\/create-first-user/, { timeout: 30_000 })
        await page.locator('#field-email').fill(ADMIN.email)
        await page.locator('#field-password').fill(ADMIN.password)
        await page.locator('#field-confirm-password').fill(ADMIN.password)
        await screenshot(page, 'admin-create-first-user')
        await page.locator('button[type="submit"]').click()
        await page.waitForURL((target) => target.pathname === '/admin', { timeout: 30_000 })
        await page.getByText('Users', { exact: false }).first().waitFor({ timeout: 30_000 })
        await screenshot(page, 'admin-dashboard')
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

    const lines = server
      .output()
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
    expect(server.output()).not.toContain(ADMIN.password)
    expect(server.output()).not.toContain(login.body.token)
    expect(server.output()).not.toContain('query-value')
  })
})

describe('configuration errors stop the process with the variable named', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, SERVER_ARGS, {
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
