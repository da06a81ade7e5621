import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { PrivateRedis, available, describeIf, eventually, freePort } from './helpers/services'
import { firstAdmin, verifiedCustomer } from './helpers/users'

const SHOP = 'http://shop.example.test'
const hasRedis = available('redis-server')

let server: TestServer
let api: Api
let redisServer: PrivateRedis | undefined

type Ready = {
  status?: string
  checks?: Record<string, string>
  errors?: { message: string; data: { checks: Record<string, string> } }[]
}
type Errors = { errors: { message: string }[] }

beforeAll(async () => {
  if (hasRedis) {
    redisServer = new PrivateRedis(await freePort())
    await redisServer.start()
  }
  server = await startTestServer({ CORS_ORIGINS: SHOP, REDIS_URL: redisServer?.url })
  api = client(server.url)
})

afterAll(async () => {
  await server?.stop()
  await redisServer?.stop()
})

describe('health and readiness', () => {
  it('health answers 200 while the process serves', async () => {
    const res = await api<{ status: string }>('/api/health')
    expect(res.status).toBe(200)
    expect(res.body.status).toBe('ok')
  })

  it('ready answers 200 with the database up', async () => {
    const res = await api<Ready>('/api/ready')
    expect(res.status).toBe(200)
    expect(res.body.checks?.database).toBe('up')
  })
})

describeIf(hasRedis, 'redis-server')('readiness follows Redis', () => {
  it('says 503 naming redis while it is down, and recovers when it is back', async () => {
    expect((await api<Ready>('/api/ready')).body.checks?.redis).toBe('up')
    await redisServer?.stop()
    const down = await eventually(
      () => api<Ready>('/api/ready'),
      (res) => res.status === 503,
    )
    expect(down.status).toBe(503)
    expect(down.body.errors?.[0]?.message).toMatch(/redis/)
    expect(down.body.errors?.[0]?.data.checks).toEqual({ database: 'up', redis: 'down' })
    // The rest of the API keeps answering without Redis.
    expect((await api('/api/health')).status).toBe(200)

    await redisServer?.start()
    const back = await eventually(
      () => api<Ready>('/api/ready'),
      (res) => res.status === 200,
    )
    expect(back.status).toBe(200)
    expect(back.body.checks?.redis).toBe('up')
  })
})

describe('request ids', () => {
  it('echoes a sane X-Request-Id and generates one otherwise', async () => {
    const given = await api('/api/health', { headers: { 'X-Request-Id': 'trace-42.a:b' } })
    expect(given.headers.get('x-request-id')).toBe('trace-42.a:b')
    const generated = await api('/api/health')
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    const hostile = await api('/api/health', { headers: { 'X-Request-Id': 'x'.repeat(500) } })
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })
})

describe('errors keep the contract shape and a 4xx status', () => {
  it('unknown /api routes', async () => {
    for (const [method, path] of [
      ['GET', '/api/nope'],
      ['POST', '/api/nope/deeper'],
      ['DELETE', '/api/users/login/extra'],
    ] as const) {
      const res = await api<Errors>(path, { method })
      expect(res.status).toBe(404)
      expect(res.body.errors[0]?.message).toEqual(expect.any(String))
    }
  })

  it('malformed JSON', async () => {
    const res = await api<Errors>('/api/users/login', {
      method: 'POST',
      body: '{"email": "a@b.test", ',
      headers: { 'Content-Type': 'application/json' },
    })
    expect(res.status).toBe(400)
    expect(res.body.errors[0]?.message).toMatch(/json/i)
  })

  it('a JSON body over the limit', async () => {
    const res = await api<Errors>('/api/users', {
      json: { email: 'big@example.test', name: 'x'.repeat(2 * 1024 * 1024) },
    })
    expect(res.status).toBe(413)
    expect(res.body.errors[0]?.message).toEqual(expect.any(String))
  })

  it('wrong types and unknown fields name the field', async () => {
    const admin = await firstAdmin(api)
    const res = await api<{ errors: { data: { errors: { path: string }[] } }[] }>(`/api/users/${admin.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { name: 42, shoeSize: 44 },
    })
    expect(res.status).toBe(400)
    expect(res.body.errors[0]?.data.errors.map((error) => error.path).sort()).toEqual(['name', 'shoeSize'])
    const stored = await server.payload.findByID({ collection: 'users', id: admin.id })
    expect(stored.name ?? null).toBeNull()
  })

  it('bad ids and bad query parameters', async () => {
    const admin = await server.payload.login({
      collection: 'users',
      data: { email: 'admin@example.test', password: 'admin-pass-123' },
    })
    const token = admin.token ?? ''
    for (const path of ['/api/users/not-an-id', '/api/users/99999999', '/api/media/%00']) {
      const res = await api(path, { token })
      expect(res.status).toBeGreaterThanOrEqual(400)
      expect(res.status).toBeLessThan(500)
    }
    const where = await api('/api/users?where[nosuchfield][equals]=1', { token })
    expect(where.status).toBeGreaterThanOrEqual(400)
    expect(where.status).toBeLessThan(500)
  })

  it('paging parameters that are not numbers, and where/data that is not JSON, answer 400', async () => {
    // Found by test/fuzz-collections.test.ts: `limit[]=x` reached the SQL adapter and answered 500, and
    // so did `where[createdAt][near]=1` and `where[slug][all][0]=x` (operators the SQL adapters lack).
    const token =
      (
        await server.payload.login({
          collection: 'users',
          data: { email: 'admin@example.test', password: 'admin-pass-123' },
        })
      ).token ?? ''
    for (const query of [
      'limit[]=x',
      'limit=abc',
      'page[a]=1',
      'depth=-1',
      'limit=1&limit=2',
      'where={',
      'where=[1]',
      'where[createdAt][near]=1',
      'where={"name":{"within":1}}',
      'where[slug][all][0]=x',
      'where[or][0][name][intersects]=1',
    ]) {
      const res = await api<Errors>(`/api/categories?${query}`, { token })
      expect(res.status).toBe(400)
      expect(res.body.errors[0]?.message).toEqual(expect.any(String))
    }
    expect((await api('/api/categories?limit=2&page=1&depth=0', { token })).status).toBe(200)
    expect((await api('/api/categories?where={"name":{"equals":"x"}}', { token })).status).toBe(200)
  })

  it('a number field compared with text answers 400, numbers as text still work', async () => {
    // Found by test/fuzz-collections.test.ts on PostgreSQL: `where[price][in][3]=Nem!N@wG)` was a 500.
    for (const query of [
      'where[price][in][3]=Nem!N%40wG)',
      'where[price][in]=1,abc',
      'where[price][equals]=abc',
      'where[price][greater_than]=',
      'where[stock][like]=1',
      'where[or][0][price][less_than]=x',
    ]) {
      const res = await api<Errors>(`/api/products?${query}`)
      expect({ query, status: res.status }).toEqual({ query, status: 400 })
      expect(res.body.errors[0]?.message).toContain('number')
    }
    // Likewise a select (an enum on PostgreSQL) compared with a value outside its options, and a
    // sort that is not text: `GET /api/coupons?sort[$gt]=i&where[type][in][0]=-170253136`.
    for (const query of [
      'where[status][equals]=nope',
      'where[status][in][0]=-170253136',
      'sort[$gt]=i',
      'sort=a&sort=b',
      // and ids and dates: `GET /api/orders?where[and][2][customer][greater_than]=kQ` was a 500.
      'where[and][2][brand][greater_than]=kQ',
      'where[id][in]=1,x',
      'where[createdAt][greater_than]=yesterday-ish',
    ]) {
      const res = await api<Errors>(`/api/products?${query}`)
      expect({ query, status: res.status }).toEqual({ query, status: 400 })
    }
    for (const query of [
      'where[price][in]=100,200',
      'where[price][greater_than]=100',
      'where[stock][exists]=true',
      'where[status][in]=published,draft',
      'sort=-price,title',
      'where[brand][in]=1,2',
      'where[id][not_equals]=1',
      'where[createdAt][greater_than]=2020-01-01',
    ])
      expect((await api(`/api/products?${query}`)).status).toBe(200)
  })

  it('a body that is not a JSON object answers 400 and creates nothing', async () => {
    // Found by test/fuzz-collections.test.ts: `"0"`, `null`, an array or a text/plain body answered 500.
    const token =
      (
        await server.payload.login({
          collection: 'users',
          data: { email: 'admin@example.test', password: 'admin-pass-123' },
        })
      ).token ?? ''
    const before = (await server.payload.count({ collection: 'stripe-events' })).totalDocs
    const bodies: [string, string][] = [
      ['"0"', 'application/json'],
      ['null', 'application/json'],
      ['[{"eventId":"evt_1","type":"x"}]', 'application/json'],
      ['{"eventId":"evt_1","type":"x"}', 'text/plain'],
    ]
    for (const [body, type] of bodies) {
      for (const path of ['/api/stripe-events', '/api/carts']) {
        const res = await api<Errors>(path, {
          method: 'POST',
          token,
          body,
          headers: { 'Content-Type': type },
        })
        expect(res.status).toBe(400)
      }
    }
    expect((await server.payload.count({ collection: 'stripe-events' })).totalDocs).toBe(before)
  })

  it('a relationship id no database can hold answers 400', async () => {
    // Found by test/fuzz-collections.test.ts on PostgreSQL: `"image": -1.8e308` answered 500.
    const token =
      (
        await server.payload.login({
          collection: 'users',
          data: { email: 'admin@example.test', password: 'admin-pass-123' },
        })
      ).token ?? ''
    for (const image of [
      -1.7976931348623145e308,
      2 ** 70,
      -3,
      0,
      'abc',
      { relationTo: 'media', value: -1 },
    ]) {
      const res = await api<Errors>('/api/brands', { token, json: { name: 'Odd brand', image } })
      expect(res.status).toBe(400)
    }
    expect((await server.payload.count({ collection: 'brands' })).totalDocs).toBe(0)
  })

  it('GraphQL syntax errors', async () => {
    // graphql-over-HTTP: 400 for clients that accept its media type, 200 + errors for plain JSON.
    const strict = await api<{ errors: unknown[] }>('/api/graphql', {
      json: { query: '{ Users { docs { ' },
      headers: { Accept: 'application/graphql-response+json' },
    })
    expect(strict.status).toBe(400)
    expect(strict.body.errors.length).toBeGreaterThan(0)
    const plain = await api<{ errors: unknown[] }>('/api/graphql', { json: { query: 'mutation { nope }' } })
    expect(plain.status).toBeLessThan(500)
    expect(plain.body.errors.length).toBeGreaterThan(0)
  })
})

describe('browser security', () => {
  it('sends security headers', async () => {
    const res = await api('/api/health')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN')
    expect(res.headers.get('x-powered-by')).toBeNull()
  })

  it('allows CORS with credentials for CORS_ORIGINS only', async () => {
    const preflight = await api('/api/users/login', {
      method: 'OPTIONS',
      headers: {
        Origin: SHOP,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    })
    expect(preflight.status).toBeLessThan(300)
    expect(preflight.headers.get('access-control-allow-origin')).toBe(SHOP)
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true')

    const evil = await api('/api/health', { headers: { Origin: 'http://evil.example.test' } })
    expect(evil.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('ignores the auth cookie on requests from an origin it does not trust (CSRF)', async () => {
    const customer = await verifiedCustomer(api, server.mailbox, 'csrf')
    const cookie = `payload-token=${customer.token}`
    const trusted = await api<{ user: { email: string } | null }>('/api/users/me', {
      headers: { Cookie: cookie, Origin: SHOP },
    })
    expect(trusted.body.user?.email).toBe(customer.email)
    const forged = await api<{ user: unknown }>('/api/users/me', {
      headers: { Cookie: cookie, Origin: 'http://evil.example.test' },
    })
    expect(forged.body.user).toBeNull()
  })
})
