import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

import { ClientRefusal } from '../src/errors'
import { launchChromium, watchProblems } from './helpers/browser'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { CHROMIUM, describeIf } from './helpers/services'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { firstAdmin, login, uniqueEmail } from './helpers/users'

// What a new user meets first, with no storefront configured (STOREFRONT_URL unset): the links
// in the emails, cookies from a 127.0.0.1 tab, the first admin's mail, the log of a refusal.

const SERVER_URL = 'http://localhost:3999'
let server: TestServer
let api: Api

beforeAll(async () => {
  server = await startTestServer({ STOREFRONT_URL: undefined, SERVER_URL })
  api = client(server.url)
})

afterAll(async () => {
  await server?.stop()
})

const linkPath = (text: string, pattern: RegExp): string => {
  const match = pattern.exec(text)
  if (!match) throw new Error(`no link in: ${text}`)
  return match[0].slice(SERVER_URL.length)
}

async function register(email: string, password: string): Promise<string> {
  const res = await api('/api/users', { json: { email, password } })
  expect(res.status).toBe(201)
  const mail = await server.mailbox.waitForTo(email, /verify/i)
  return linkPath(mail.text, /http:\/\/localhost:3999\/verify\/[\w%.-]+/)
}

describe('first steps', () => {
  it('the first admin (verified by first-register) gets no "verify your email" mail', async () => {
    const admin = await firstAdmin(api, 'first.admin@example.test')
    expect(admin.token).toBeTruthy()
    // A later registration's mail arriving proves the mail path works and has drained.
    await register(uniqueEmail('after-admin'), 'customer-pass-123')
    expect(server.mailbox.messages.filter((mail) => mail.to.includes('first.admin@example.test'))).toEqual([])
  })

  it('cookies count from localhost and 127.0.0.1 alike, never from another origin', async () => {
    const loggedIn = await fetch(`${server.url}/api/users/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'first.admin@example.test', password: 'admin-pass-123' }),
    })
    const cookie = /payload-token=[^;]+/.exec(loggedIn.headers.get('set-cookie') ?? '')?.[0]
    expect(cookie).toBeDefined()
    const me = async (origin: string) =>
      (await api<{ user: unknown }>('/api/users/me', { headers: { Cookie: cookie!, Origin: origin } })).body
        .user
    expect(await me('http://localhost:3999')).not.toBeNull()
    expect(await me('http://127.0.0.1:3999')).not.toBeNull()
    expect(await me('http://127.0.0.1:4000')).toBeNull()
    expect(await me('http://evil.example')).toBeNull()
  })

  it('expected refusals are logged at info, not as errors with a stack', () => {
    const levels = server.payload.config.loggingLevels as Record<string, unknown>
    for (const name of [
      'UnverifiedEmail',
      'AuthenticationError',
      'LockedAuth',
      'Forbidden',
      new ClientRefusal('x', 403).name,
    ])
      expect([name, levels[name]]).toEqual([name, 'info'])
  })

  it('serves the verification and reset pages only as static pages', async () => {
    const page = await api(`/verify/abc`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toContain('text/html')
    expect(page.text).not.toContain('abc')
    expect((await api('/reset-password?token=<script>')).text).not.toContain('<script>alert')
  })
})

describeIf(Boolean(CHROMIUM), 'Chromium')('the emailed links, opened in a browser', () => {
  it('verify the address, then reset the password', async () => {
    const email = uniqueEmail('links')
    const verifyPath = await register(email, 'customer-pass-123')
    const browser = await launchChromium()
    try {
      const page = await browser.newPage()
      const problems = watchProblems(page)
      await page.goto(`${server.url}${verifyPath}`)
      await page.getByText('Your email is verified').waitFor({ timeout: 10_000 })
      await login(api, email, 'customer-pass-123')

      expect((await api('/api/users/forgot-password', { json: { email } })).status).toBe(200)
      const mail = await server.mailbox.waitForTo(email, /reset/i)
      await page.goto(
        `${server.url}${linkPath(mail.text, /http:\/\/localhost:3999\/reset-password\?token=[\w%.-]+/)}`,
      )
      await page.fill('#password', 'a-new-pass-456')
      await page.click('button')
      await page.getByText('Your password is changed').waitFor({ timeout: 10_000 })
      expect(problems).toEqual([])
    } finally {
      await browser.close()
    }
    await login(api, email, 'a-new-pass-456')
  }, 60_000)
})
