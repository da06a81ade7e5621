import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'

import { storeClient } from '../client'
import { create, product } from './helpers/catalog'
import { client } from './helpers/http'
import { ADDRESS } from './helpers/shop'
import { root } from './helpers/store/process'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { firstAdmin, verifiedCustomer } from './helpers/users'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})

afterAll(async () => {
  await server?.stop()
})

describe('the typed client (client/)', () => {
  it('is generated from the current document', () => {
    const check = spawnSync(
      'node',
      ['--conditions=production', '--import', 'tsx', 'scripts/generate-client.ts', '--check'],
      { cwd: root, encoding: 'utf8' },
    )
    expect(check.stderr + check.stdout).toContain('up to date')
    expect(check.status).toBe(0)
  })

  it('browses, adds to the cart and checks out (the README example)', async () => {
    const api = client(server.url)
    const admin = await firstAdmin(api)
    const account = await verifiedCustomer(api, server.mailbox)
    await create(api, admin.token, 'products', product({ title: 'Desk lamp', price: 4500 }))

    // As in the README: log in, browse, add to cart, check out.
    const session: { token?: string } = {}
    const store = storeClient({ baseUrl: server.url, token: () => session.token })
    const login = await store.POST('/api/users/login', {
      body: { email: account.email, password: account.password },
    })
    session.token = login.data?.token
    expect(session.token).toBeDefined()

    const { data: page } = await store.GET('/api/products', {
      params: { query: { limit: 10, where: JSON.stringify({ title: { like: 'lamp' } }) } },
    })
    const lamp = page?.docs.find((doc) => doc.title === 'Desk lamp')
    expect(lamp?.price).toBe(4500)

    const { data: cart, error } = await store.POST('/api/carts/mine/items', {
      body: { product: lamp!.id, quantity: 2 },
    })
    expect(error).toBeUndefined()
    expect(cart?.total).toBe(9000)

    const { data: placed, response } = await store.POST('/api/checkout', {
      body: { paymentMethod: 'cod', shippingAddress: ADDRESS },
      params: { header: { 'Idempotency-Key': 'client-example-1' } },
    })
    expect(response.status).toBe(201)
    expect(placed?.order.total).toBe(9000)
    expect(placed?.order.orderNumber).toMatch(/\S/)

    const refused = await store.POST('/api/carts/mine/items', { body: { product: lamp!.id, quantity: 0 } })
    expect(refused.response.status).toBe(400)
    expect(refused.error?.errors[0]?.message).toMatch(/quantity/)
  })
})
