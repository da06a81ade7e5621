import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

import { client } from './helpers/http'
import type { Api, ApiOptions } from './helpers/http'
import { startInstance } from './helpers/store/instance'
import type { Instance } from './helpers/store/instance'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { PrivateRedis, available, describeIf, eventually, freePort } from './helpers/services'
import type { Errors } from './helpers/shop'
import { customersViaLocalApi, firstAdmin } from './helpers/users'
import type { Account } from './helpers/users'

// Abuse limits: per-IP rate limits (here in memory; across instances through Redis below),
// GraphQL depth and cost, the page-size cap and the body-size limit; and client input that
// used to answer 500 (versions routes, huge numbers, unreadable multipart bodies, GraphQL
// documents Payload's validation crashed on).
//
// TRUST_PROXY=1 makes the test process a trusted proxy, so each test speaks from its own client
// address (X-Forwarded-For) and the budgets of different tests never mix.

// Long enough that no test here outlives it, however slow the machine: the window's end is
// tested in limits-window.test.ts.
const WINDOW_S = 60
const AUTH_MAX = 3
const CHECKOUT_MAX = 2
const COUPON_MAX = 3
const GRAPHQL_MAX = 40

let server: TestServer
let base: Api
let admin: Account
let lastOctet = 0
const nextIp = (): string => `198.51.100.${++lastOctet}`

/** The API as seen from one client address. */
const from =
  (ip: string, target: Api = base): Api =>
  (path, options: ApiOptions = {}) =>
    target(path, { ...options, headers: { 'X-Forwarded-For': ip, ...options.headers } })

const failedLogin = (api: Api) =>
  api<Errors>('/api/users/login', { json: { email: 'nobody@example.test', password: 'wrong-password' } })

const graphql = <T = { data?: Record<string, unknown> } & Errors>(
  api: Api,
  query: string,
  headers: Record<string, string> = {},
) => api<T>('/api/graphql', { json: { query }, headers })

const GRAPHQL_LOGIN =
  'mutation { loginUser(email: "nobody@example.test", password: "wrong-password") { token } }'

beforeAll(async () => {
  server = await startTestServer({
    TRUST_PROXY: '1',
    RATE_LIMIT_WINDOW_S: String(WINDOW_S),
    RATE_LIMIT_AUTH_MAX: String(AUTH_MAX),
    RATE_LIMIT_CHECKOUT_MAX: String(CHECKOUT_MAX),
    RATE_LIMIT_COUPON_MAX: String(COUPON_MAX),
    RATE_LIMIT_GRAPHQL_MAX: String(GRAPHQL_MAX),
  })
  base = client(server.url)
  admin = await firstAdmin(from(nextIp()))
}, 180_000)

afterAll(async () => {
  await server?.stop()
})

describe('auth rate limit', () => {
  it(`answers 429 with Retry-After after ${AUTH_MAX} attempts from one address`, async () => {
    const api = from(nextIp())
    for (let i = 0; i < AUTH_MAX; i++) expect((await failedLogin(api)).status).toBe(401)
    const limited = await failedLogin(api)
    expect(limited.status).toBe(429)
    const retryAfter = Number(limited.headers.get('retry-after'))
    expect(Number.isInteger(retryAfter)).toBe(true)
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_S)
    expect(limited.body.errors[0]?.message).toMatch(/too many requests/i)
    expect(limited.body.errors[0]?.data?.code).toBe('RATE_LIMITED')
    // Another client is not affected.
    expect((await failedLogin(from(nextIp()))).status).toBe(401)
  })

  it('is one budget for login, registration, verification and password reset', async () => {
    const api = from(nextIp())
    expect((await failedLogin(api)).status).toBe(401)
    const register = await api('/api/users', {
      json: { email: `limit.${Date.now()}@example.test`, password: 'pass-123456' },
    })
    expect(register.status).toBe(201)
    expect((await api('/api/users/forgot-password', { json: { email: 'nobody@example.test' } })).status).toBe(
      200,
    )
    for (const [path, json] of [
      ['/api/users/login', { email: 'nobody@example.test', password: 'x' }],
      ['/api/users', { email: `over.${Date.now()}@example.test`, password: 'pass-123456' }],
      ['/api/users/verify/some-token', undefined],
      ['/api/users/forgot-password', { email: 'nobody@example.test' }],
      ['/api/users/reset-password', { token: 'some-token', password: 'new-pass-123' }],
    ] as const) {
      const res = await api(path, { method: 'POST', json })
      expect({ path, status: res.status }).toEqual({ path, status: 429 })
    }
    // A refused registration created nothing.
    const { totalDocs } = await server.payload.count({
      collection: 'users',
      where: { email: { like: 'over.' } },
    })
    expect(totalDocs).toBe(0)
  })

  it('counts the path variants Payload answers as the same route', async () => {
    const api = from(nextIp())
    const attempt = (path: string) =>
      api(path, { json: { email: 'nobody@example.test', password: 'wrong-password' } })
    expect((await attempt('/api/users/login/')).status).toBe(401)
    expect((await attempt('/api/users/login?depth=0')).status).toBe(401)
    expect((await attempt('/api/users/login')).status).toBe(401)
    expect((await attempt('/api/users/login/')).status).toBe(429)
  })

  it('takes the address from the trusted proxy, not from what the client prepends', async () => {
    const ip = nextIp()
    for (let i = 0; i < AUTH_MAX; i++) await failedLogin(from(ip))
    const spoofed = await failedLogin(from(`203.0.113.${Math.floor(Math.random() * 250)}, ${ip}`))
    expect(spoofed.status).toBe(429)
  })

  it('counts GraphQL sign-ins in the same budget', async () => {
    const api = from(nextIp())
    for (let i = 0; i < AUTH_MAX; i++) {
      const res = await graphql(api, GRAPHQL_LOGIN)
      expect(res.status).toBe(200)
      expect(res.body.errors[0]?.message).toMatch(/email or password/i)
    }
    expect((await graphql(api, GRAPHQL_LOGIN)).status).toBe(429)
    expect((await failedLogin(api)).status).toBe(429)
    // Reads over GraphQL are not auth requests.
    expect((await graphql(api, '{ Brands { totalDocs } }')).status).toBe(200)
  })

  it('counts every GraphQL auth mutation, however it is spelled', async () => {
    const api = from(nextIp())
    const viaFragment = `mutation { ...Attempt }
      fragment Attempt on Mutation { loginUser(email: "a@example.test", password: "x") { token } }`
    expect((await graphql(api, viaFragment)).status).toBe(200)
    const aliased = await graphql(api, 'mutation { signIn: forgotPasswordUser(email: "a@example.test") }')
    expect(aliased.status).toBe(200)
    // Several attempts in one request would multiply the budget: refused outright.
    const batch = await graphql(
      api,
      `
        mutation {
          a: loginUser(email: "a@example.test", password: "one") {
            token
          }
          b: loginUser(email: "a@example.test", password: "two") {
            token
          }
        }
      `,
    )
    expect(batch.status).toBe(400)
    expect(batch.body.errors[0]?.message).toMatch(/one sign-in/i)
    expect(
      (
        await graphql(
          api,
          'mutation { createUser(data: {email: "g@example.test", password: "pass-123456"}) { id } }',
        )
      ).status,
    ).toBe(200)
    expect((await graphql(api, GRAPHQL_LOGIN)).status).toBe(429)
  })
})

describe('checkout rate limit', () => {
  it(`answers 429 after ${CHECKOUT_MAX} checkouts from one address`, async () => {
    const api = from(nextIp())
    const [customer] = await customersViaLocalApi(server.payload, from(nextIp()), 1, 'limited')
    const attempt = () =>
      api<Errors>('/api/checkout', {
        token: customer!.token,
        json: { paymentMethod: 'cod', shippingAddress: {} },
      })
    for (let i = 0; i < CHECKOUT_MAX; i++) expect((await attempt()).status).toBe(400)
    const limited = await attempt()
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    // The checkout budget is its own: sign-ins from the same address still go through.
    expect((await failedLogin(api)).status).toBe(401)
  })
})

describe('guest carts', () => {
  it(`share the checkout budget: ${CHECKOUT_MAX} guest carts and checkouts from one address, then 429`, async () => {
    const api = from(nextIp())
    const newCart = () => api<{ cartToken?: string } & Errors>('/api/carts/guest', { method: 'POST' })
    const half = Math.floor(CHECKOUT_MAX / 2)
    for (let i = 0; i < half; i++) expect((await newCart()).status).toBe(201)
    const guest = { 'X-Cart-Token': (await newCart()).body.cartToken ?? '' }
    const checkout = () =>
      api<Errors>('/api/checkout', { headers: guest, json: { paymentMethod: 'cod', shippingAddress: {} } })
    for (let i = half + 1; i < CHECKOUT_MAX; i++) expect((await checkout()).status).toBe(400)
    const limited = await newCart()
    expect(limited.status).toBe(429)
    expect((await checkout()).status).toBe(429)
    // Another address has its own budget.
    expect((await from(nextIp())<Errors>('/api/carts/guest', { method: 'POST' })).status).toBe(201)
  })
})

describe('GraphQL depth and complexity', () => {
  const deep = (levels: number): string => {
    let selection = 'id'
    for (let i = 0; i < levels; i++) selection = `parent { ${selection} }`
    return `{ Categories { docs { ${selection} } } }`
  }

  it('answers a deep storefront read', async () => {
    const res = await graphql(
      base,
      `
        {
          Products(limit: 20, where: { status: { equals: published } }) {
            totalDocs
            docs {
              id
              title
              slug
              price
              compareAtPrice
              stock
              status
              brand {
                id
                name
                slug
                image {
                  url
                  alt
                  sizes {
                    thumbnail {
                      url
                      width
                      height
                    }
                  }
                }
              }
              categories {
                id
                name
                slug
                parent {
                  id
                  name
                  parent {
                    id
                    name
                    image {
                      url
                      sizes {
                        thumbnail {
                          url
                        }
                      }
                    }
                  }
                }
              }
              mainImage {
                url
                alt
                width
                height
                sizes {
                  thumbnail {
                    url
                  }
                  card {
                    url
                  }
                }
              }
              images {
                url
                alt
                sizes {
                  thumbnail {
                    url
                  }
                }
              }
            }
          }
        }
      `,
    )
    expect(res.status).toBe(200)
    expect(res.body.errors).toBeUndefined()
    expect(res.body.data?.Products).toBeDefined()
  })

  it('refuses a query nested too deep with 400, for every client', async () => {
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      const res = await graphql(base, deep(12), { Accept: accept })
      expect(res.status).toBe(400)
      expect(res.body.errors[0]?.message).toMatch(/depth limit of 10 exceeded/i)
    }
    expect((await graphql(base, deep(6))).status).toBe(200)
  })

  it('refuses a query too complex with 400', async () => {
    const aliases = Array.from(
      { length: 60 },
      (_, i) => `p${i}: Products { docs { id title brand { name } mainImage { url } } }`,
    ).join('\n')
    const res = await graphql(base, `{ ${aliases} }`)
    expect(res.status).toBe(400)
    expect(res.body.errors[0]?.message).toMatch(/root fields/i)
  })
})

describe('GraphQL cost', () => {
  const counts = (n: number) =>
    `{ ${Array.from({ length: n }, (_, i) => `c${i}: countProducts { totalDocs }`).join(' ')} }`
  type Refusal = Errors & { data?: unknown }

  it('refuses 300 aliased counts before running any of them', async () => {
    const started = Date.now()
    const res = await graphql<Refusal>(from(nextIp()), counts(300))
    expect(res.status).toBe(400)
    expect(res.body.data).toBeUndefined()
    expect(res.body.errors[0]?.message).toMatch(/at most 20 root fields.*has 300/i)
    expect(res.body.errors[0]?.data?.code).toBe('GRAPHQL_TOO_COSTLY')
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('counts root fields however they are spelled: aliases, fragments, inline fragments', async () => {
    const api = from(nextIp())
    expect((await graphql(api, counts(20))).status).toBe(200)
    const viaFragments = `{ ...A ... on Query { x: countBrands { totalDocs } } }
      fragment A on Query { ${Array.from({ length: 20 }, (_, i) => `f${i}: countBrands { totalDocs }`).join(' ')} }`
    const refused = await graphql<Refusal>(api, viaFragments)
    expect(refused.status).toBe(400)
    expect(refused.body.errors[0]?.message).toMatch(/has 21/)
    // The same root field repeated under one name runs once, and costs once.
    const repeated = `{ ${Array.from({ length: 50 }, () => 'countBrands { totalDocs }').join(' ')} }`
    expect((await graphql(api, repeated)).status).toBe(200)
  })

  it('prices lists by the page they ask for and nested objects by their number', async () => {
    const api = from(nextIp())
    const listing = (limit: string) =>
      `{ ${Array.from(
        { length: 6 },
        (_, i) =>
          `p${i}: Products(${limit}) { docs { id title brand { name image { url } } categories { name } } }`,
      ).join(' ')} }`
    expect((await graphql(api, listing('limit: 10'))).status).toBe(200)
    for (const limit of ['limit: 100', 'limit: 0', 'limit: $n']) {
      const query = limit === 'limit: $n' ? `query ($n: Int) ${listing(limit)}` : listing(limit)
      const res = await api<Refusal>('/api/graphql', { json: { query, variables: { n: 100 } } })
      expect({ limit, status: res.status }).toEqual({ limit, status: 400 })
      expect(res.body.errors[0]?.message).toMatch(/maximum cost of 1500/)
    }
    // Aliases deep inside one root field cost as fields too.
    const wide = `{ Products(limit: 100) { docs { ${Array.from({ length: 200 }, (_, i) => `t${i}: title`).join(' ')} } } }`
    expect((await graphql(api, wide)).status).toBe(400)
  })

  it(`rate-limits GraphQL per address: ${GRAPHQL_MAX} requests, then 429 with Retry-After`, async () => {
    const api = from(nextIp())
    const statuses = await Promise.all(
      Array.from({ length: GRAPHQL_MAX }, () => graphql(api, '{ countBrands { totalDocs } }')),
    )
    expect(statuses.map((res) => res.status)).toEqual(Array(GRAPHQL_MAX).fill(200))
    const limited = await graphql<Errors>(api, '{ countBrands { totalDocs } }')
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(limited.body.errors[0]?.data?.code).toBe('RATE_LIMITED')
    // Refused documents count too (they still cost a parse), and REST is another budget.
    expect((await api('/api/brands?limit=1')).status).toBe(200)
    expect((await graphql(from(nextIp()), '{ countBrands { totalDocs } }')).status).toBe(200)
  })

  it('keeps /api/health and /api/ready answering while expensive allowed queries run', async () => {
    const heavy = `{ ${Array.from(
      { length: 20 },
      (_, i) => `b${i}: Brands(limit: 50, sort: "name") { totalDocs docs { id name slug } }`,
    ).join(' ')} }`
    const load = Array.from({ length: 6 }, () => graphql(from(nextIp()), heavy))
    await new Promise((resolve) => setTimeout(resolve, 50))
    for (const path of ['/api/health', '/api/ready']) {
      const started = Date.now()
      const res = await base(path)
      const ms = Date.now() - started
      expect({ path, status: res.status, fast: ms < 1000 }).toEqual({ path, status: 200, fast: true })
    }
    for (const res of await Promise.all(load)) expect(res.status).toBe(200)
  })
})

describe('coupon attempts', () => {
  const attempt = (api: Api, token: string, code: string) =>
    api<Errors>('/api/carts/mine/coupon', { token, json: { code } })

  beforeAll(async () => {
    const past = new Date(Date.now() - 86_400_000).toISOString()
    const future = new Date(Date.now() + 86_400_000).toISOString()
    for (const data of [
      {
        code: 'LIMIT-EXPIRED',
        expiresAt: past,
        startsAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
      },
      { code: 'LIMIT-SOON', startsAt: future },
      { code: 'LIMIT-OFF', active: false },
      { code: 'LIMIT-SPENT', maxUses: 1, usedCount: 1 },
    ])
      await server.payload.create({ collection: 'coupons', data: { type: 'fixed', value: 100, ...data } })
  })

  it('answers an unknown code and an existing code that cannot be used alike', async () => {
    const codes = ['LIMIT-NOPE', 'LIMIT-EXPIRED', 'LIMIT-SOON', 'LIMIT-OFF', 'LIMIT-SPENT']
    // One customer and one address per code: the comparison must not run into the rate limit.
    const answers = []
    for (const code of codes) {
      const [customer] = await customersViaLocalApi(server.payload, from(nextIp()), 1, 'guesser')
      const res = await attempt(from(nextIp()), customer!.token, code)
      answers.push({ status: res.status, body: res.body })
    }
    expect(answers[0]).toMatchObject({
      status: 409,
      body: { errors: [{ message: 'This coupon code is not valid.', data: { code: 'COUPON_UNAVAILABLE' } }] },
    })
    for (const answer of answers) expect(answer).toEqual(answers[0])
  })

  it(`answers 429 with Retry-After after ${COUPON_MAX} attempts from one address`, async () => {
    const api = from(nextIp())
    const [one, two] = await customersViaLocalApi(server.payload, from(nextIp()), 2, 'coupon-ip')
    for (let i = 0; i < COUPON_MAX; i++)
      expect((await attempt(api, (i % 2 ? one : two)!.token, `GUESS-${i}`)).status).toBe(409)
    const limited = await attempt(api, one!.token, 'GUESS-X')
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(limited.body.errors[0]?.data?.code).toBe('RATE_LIMITED')
  })

  it("limits one customer across addresses, and a forged token spends no one else's budget", async () => {
    const [customer] = await customersViaLocalApi(server.payload, from(nextIp()), 1, 'coupon-user')
    for (let i = 0; i < COUPON_MAX; i++)
      expect((await attempt(from(nextIp()), customer!.token, `GUESS-${i}`)).status).toBe(409)
    expect((await attempt(from(nextIp()), customer!.token, 'GUESS-X')).status).toBe(429)

    const [victim] = await customersViaLocalApi(server.payload, from(nextIp()), 1, 'coupon-victim')
    const [header, , signature] = victim!.token.split('.')
    const claims = JSON.parse(Buffer.from(victim!.token.split('.')[1]!, 'base64url').toString()) as object
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, exp: 9_999_999_999 })).toString('base64url')}.${signature}`
    for (let i = 0; i < COUPON_MAX + 2; i++)
      expect((await attempt(from(nextIp()), forged, 'GUESS')).status).toBe(401)
    expect((await attempt(from(nextIp()), victim!.token, 'GUESS')).status).toBe(409)
  })
})

describe('client input that used to answer 500', () => {
  let customer: Account
  const collections = ['users', 'media', 'brands', 'categories', 'products', 'coupons', 'carts', 'orders']

  beforeAll(async () => {
    const [created] = await customersViaLocalApi(server.payload, from(nextIp()), 1, 'input')
    customer = created!
  })

  it('answers every versions route of every collection 404 when it keeps no versions', async () => {
    for (const slug of collections) {
      for (const [method, path, token] of [
        ['GET', `/api/${slug}/versions`, customer.token],
        ['GET', `/api/${slug}/versions`, admin.token],
        ['GET', `/api/${slug}/versions/1`, customer.token],
        ['POST', `/api/${slug}/versions/1`, undefined],
        ['POST', `/api/${slug}/versions/1`, customer.token],
      ] as const) {
        const res = await base<Errors>(path, { method, token })
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 })
        expect(res.body.errors[0]?.message).toEqual(expect.any(String))
      }
    }
  })

  it.each(['page', 'limit', 'depth'])(
    'refuses ?%s beyond what a database can hold with 400',
    async (name) => {
      for (const value of ['99999999999999999999', '2147483648', '1e21']) {
        const res = await base<Errors>(`/api/products?${name}=${value}`)
        expect({ value, status: res.status }).toEqual({ value, status: 400 })
        expect(res.body.errors[0]?.message).toMatch(new RegExp(`${name} must be a whole number`))
      }
      expect((await base(`/api/brands?${name}=2147483647`)).status).toBe(200)
    },
  )

  it('answers an upload whose filename holds a NUL byte 400 and stores nothing', async () => {
    const before = await server.payload.count({ collection: 'media' })
    const boundary = '----limits-boundary'
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a\u0000b.png"\r\n` +
          'Content-Type: image/png\r\n\r\n',
        'latin1',
      ),
      Buffer.from('not really a png'),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ])
    const res = await base<Errors>('/api/media', {
      token: admin.token,
      body,
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    })
    expect(res.status).toBe(400)
    expect(res.body.errors[0]?.message).toMatch(/could not be read/i)
    expect((await server.payload.count({ collection: 'media' })).totalDocs).toBe(before.totalDocs)
  })

  it('refuses a JSON body nested thousands of levels deep with 400, REST and GraphQL', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`
    const rest = await base<Errors>('/api/brands', {
      token: admin.token,
      body: `{"name":"Deep","tags":${deep}}`,
      headers: { 'Content-Type': 'application/json' },
    })
    expect(rest.status).toBe(400)
    expect(rest.body.errors[0]?.message).toMatch(/nests deeper than 100/)
    const gql = await base<Errors>('/api/graphql', {
      body: `{"query":"{ Brands { totalDocs } }","variables":{"a":${deep}}}`,
      headers: { 'Content-Type': 'application/json' },
    })
    expect(gql.status).toBe(400)
    // Brackets inside strings are text, not nesting.
    const text = await base('/api/graphql', {
      json: { query: '{ Brands { totalDocs } }', variables: { a: `[\\"${'['.repeat(500)}` } },
    })
    expect(text.status).toBe(200)
  })

  it('refuses GraphQL subscriptions and cyclic fragments with 400', async () => {
    const subscription = await graphql<Errors>(from(nextIp()), 'subscription { a }')
    expect(subscription.status).toBe(400)
    expect(subscription.body.errors[0]?.message).toMatch(/subscriptions are not supported/i)
    for (const query of [
      'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }',
      '{ Brands { docs { ...Self } } } fragment Self on Brand { name ...Self }',
    ]) {
      const res = await graphql<Errors>(from(nextIp()), query)
      expect({ query, status: res.status }).toEqual({ query, status: 400 })
      expect(res.body.errors[0]?.message).toMatch(/spreads itself/)
    }
  })

  it('answers the Access query to customers and anonymous callers', async () => {
    const query = `{ Access { canAccessAdmin products { create { permission } read { permission }
      fields { title { read { permission } update { permission } } } } orders { read { permission where } } } }`
    type Access = {
      data: {
        Access: {
          canAccessAdmin: boolean
          products: {
            create: { permission: boolean }
            read: { permission: boolean }
            fields: { title: { read: { permission: boolean }; update: { permission: boolean } } }
          }
          orders: { read: { permission: boolean; where: unknown } }
        }
      }
    } & Errors
    for (const token of [customer.token, undefined]) {
      const res = await graphql<Access>(from(nextIp()), query, token ? { Authorization: `JWT ${token}` } : {})
      expect(res.status).toBe(200)
      expect(res.body.errors).toBeUndefined()
      const access = res.body.data.Access
      expect(access.canAccessAdmin).toBe(false)
      expect(access.products.create.permission).toBe(false)
      expect(access.products.read.permission).toBe(true)
      expect(access.products.fields.title).toEqual({
        read: { permission: true },
        update: { permission: false },
      })
      expect(access.orders.read.permission).toBe(token !== undefined)
    }
    const asAdmin = await graphql<Access>(from(nextIp()), query, { Authorization: `JWT ${admin.token}` })
    expect(asAdmin.body.data.Access.canAccessAdmin).toBe(true)
    expect(asAdmin.body.data.Access.products.create.permission).toBe(true)
  })
})

describe('page size cap', () => {
  const BRANDS = 105

  beforeAll(async () => {
    for (let i = 0; i < BRANDS; i++)
      await server.payload.create({ collection: 'brands', data: { name: `Capped brand ${i}` } })
  }, 60_000)

  type Page = { docs: unknown[]; limit: number; totalDocs: number; hasNextPage: boolean }

  it.each(['limit=1000', 'limit=0', 'pagination=false', 'limit=0&pagination=false'])(
    'REST ?%s answers at most 100',
    async (query) => {
      const res = await base<Page>(`/api/brands?${query}`)
      expect(res.status).toBe(200)
      expect(res.body.docs).toHaveLength(100)
      expect(res.body.limit).toBe(100)
      expect(res.body.totalDocs).toBe(BRANDS)
      expect(res.body.hasNextPage).toBe(true)
    },
  )

  it('refuses a negative limit rather than guessing', async () => {
    expect((await base('/api/brands?limit=-1')).status).toBe(400)
  })

  it('leaves pages within the cap alone, for admins too', async () => {
    expect((await base<Page>('/api/brands?limit=7')).body.docs).toHaveLength(7)
    const asAdmin = await base<Page>('/api/brands?limit=100&page=2', { token: admin.token })
    expect(asAdmin.body.docs).toHaveLength(BRANDS - 100)
    const users = await base<Page>('/api/users?limit=1000', { token: admin.token })
    expect(users.body.limit).toBe(100)
  })

  it('caps GraphQL lists the same way', async () => {
    for (const args of ['limit: 1000', 'limit: 0', 'pagination: false']) {
      const res = await graphql<{ data: { Brands: Page } }>(
        base,
        `{ Brands(${args}) { docs { id } limit totalDocs } }`,
      )
      expect(res.status).toBe(200)
      expect(res.body.data.Brands.docs).toHaveLength(100)
      expect(res.body.data.Brands.totalDocs).toBe(BRANDS)
    }
  })
})

describe('body size limit', () => {
  it('refuses a JSON body over 1 MiB with 413 and creates nothing', async () => {
    const before = await server.payload.count({ collection: 'brands' })
    const big = { name: 'Too big', description: 'x'.repeat(1024 * 1024) }
    const rest = await base<Errors>('/api/brands', { token: admin.token, json: big })
    expect(rest.status).toBe(413)
    expect(rest.body.errors[0]?.message).toEqual(expect.any(String))
    const gql = await base<Errors>('/api/graphql', {
      token: admin.token,
      json: { query: `mutation { createBrand(data: {name: "${'y'.repeat(1024 * 1024)}"}) { id } }` },
    })
    expect(gql.status).toBe(413)
    expect((await server.payload.count({ collection: 'brands' })).totalDocs).toBe(before.totalDocs)
  })
})

// ---------------------------------------------------------------------------------------------
// Two instances, one budget: counted in Redis.

const hasRedis = available('redis-server')

describeIf(hasRedis, 'redis-server')('rate limits across instances', () => {
  const SHARED_MAX = 4
  let redisServer: PrivateRedis
  let first: Instance | undefined
  let second: Instance | undefined

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort())
    await redisServer.start()
    const env = {
      REDIS_URL: redisServer.url,
      TRUST_PROXY: '1',
      RATE_LIMIT_WINDOW_S: '60',
      RATE_LIMIT_AUTH_MAX: String(SHARED_MAX),
    }
    // One after the other: two cold starts at once on a busy machine take longer than in turn.
    first = await startInstance(env)
    second = await startInstance(env)
  }, 240_000)

  afterAll(async () => {
    await first?.stop()
    await second?.stop()
    await redisServer?.stop()
  })

  it('shares one budget per address between instances', async () => {
    const ip = nextIp()
    const [a, b] = [from(ip, first!.api), from(ip, second!.api)]
    const statuses: number[] = []
    for (let i = 0; i < SHARED_MAX; i++) statuses.push((await failedLogin(i % 2 ? b : a)).status)
    expect(statuses).toEqual(Array(SHARED_MAX).fill(401))
    expect((await failedLogin(a)).status).toBe(429)
    expect((await failedLogin(b)).status).toBe(429)
    expect((await failedLogin(from(nextIp(), second!.api))).status).toBe(401)
  })

  it('keeps serving while Redis is down, limiting per instance, and shares again when it returns', async () => {
    await redisServer.stop()
    await eventually(
      () => first!.api('/api/ready'),
      (res) => res.status === 503,
    )
    const ip = nextIp()
    const [a, b] = [from(ip, first!.api), from(ip, second!.api)]
    for (let i = 0; i < SHARED_MAX; i++) {
      expect((await failedLogin(a)).status).toBe(401)
      expect((await failedLogin(b)).status).toBe(401)
    }
    // Each instance still counts on its own.
    expect((await failedLogin(a)).status).toBe(429)
    for (const instance of [first!, second!]) {
      const lines = instance
        .output()
        .split('\n')
        .filter((line) => line.includes('rate limits counted per instance'))
      expect(lines).toHaveLength(1)
    }

    await redisServer.start()
    for (const instance of [first!, second!])
      await eventually(
        () => instance.api('/api/ready'),
        (res) => res.status === 200,
      )
    const again = nextIp()
    const [c, d] = [from(again, first!.api), from(again, second!.api)]
    for (let i = 0; i < SHARED_MAX; i++) expect((await failedLogin(i % 2 ? d : c)).status).toBe(401)
    expect((await failedLogin(c)).status).toBe(429)
  }, 60_000)
})
