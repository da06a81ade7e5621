import type { Payload } from 'payload'

import type { Mailbox } from './mailbox'
import type { Api } from './http'
import { tokenFrom } from './http'

export type Account = { id: number | string; email: string; password: string; token: string }

let counter = 0
export const uniqueEmail = (prefix: string): string => `${prefix}.${Date.now()}.${++counter}@example.test`

export async function firstAdmin(
  api: Api,
  email = 'admin@example.test',
  password = 'admin-pass-123',
): Promise<Account> {
  const res = await api<{ token: string; user: { id: number | string } }>('/api/users/first-register', {
    json: { email, password, 'confirm-password': password },
  })
  if (res.status !== 200) throw new Error(`first-register failed: ${res.status} ${res.text}`)
  return { id: res.body.user.id, email, password, token: res.body.token }
}

export async function login(api: Api, email: string, password: string): Promise<string> {
  const res = await api<{ token: string }>('/api/users/login', { json: { email, password } })
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`)
  return res.body.token
}

/** Registers through the public endpoint, follows the emailed verification link, logs in. */
export async function verifiedCustomer(api: Api, mailbox: Mailbox, prefix = 'customer'): Promise<Account> {
  const email = uniqueEmail(prefix)
  const password = 'customer-pass-123'
  const res = await api<{ doc: { id: number | string } }>('/api/users', { json: { email, password } })
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`)
  const mail = await mailbox.waitForTo(email, /verify/i)
  const verified = await api(`/api/users/verify/${tokenFrom(mail.text)}`, { method: 'POST' })
  if (verified.status !== 200) throw new Error(`verify failed: ${verified.status} ${verified.text}`)
  return { id: res.body.doc.id, email, password, token: await login(api, email, password) }
}

/** Many customers fast: created verified through the Local API, logged in over HTTP. */
export async function customersViaLocalApi(
  payload: Payload,
  api: Api,
  count: number,
  prefix = 'racer',
): Promise<Account[]> {
  const password = 'racer-pass-123'
  const accounts: Account[] = []
  for (let i = 0; i < count; i++) {
    const email = uniqueEmail(prefix)
    const user = await payload.create({
      collection: 'users',
      data: { email, password, roles: ['customer'], _verified: true },
      disableVerificationEmail: true,
    })
    accounts.push({ id: user.id, email, password, token: await login(api, email, password) })
  }
  return accounts
}
