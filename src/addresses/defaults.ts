import type { PayloadRequest } from 'payload'

import { writeIfMatches } from '../db/guardedWrite'
import { refOf } from '../db/ids'
import type { DocId } from '../db/ids'

// Which of a customer's addresses is their default is one value on the customer's own row
// (users.defaultAddress), and an address's `isDefault` is read from it. Making an address the
// default is then one statement, so however many requests make different addresses default at
// once, exactly one is (the last written), never two and never none — which flags on each
// address, set and unset by separate statements, cannot promise.

type Cache = Map<string, DocId | null>
const CACHE = 'defaultAddresses'

function cacheOf(req: PayloadRequest): Cache {
  const existing = req.context[CACHE]
  if (existing instanceof Map) return existing as Cache
  const cache: Cache = new Map()
  req.context[CACHE] = cache
  return cache
}

/** The id of the customer's default address, or null (read once per request and customer). */
export async function defaultAddressOf(req: PayloadRequest, customer: DocId): Promise<DocId | null> {
  const cache = cacheOf(req)
  const key = String(customer)
  if (cache.has(key)) return cache.get(key) ?? null
  const user = await req.payload.db.findOne({
    collection: 'users',
    where: { id: { equals: customer } },
    req,
  })
  const value =
    user && typeof user === 'object' && 'defaultAddress' in user ? refOf(user.defaultAddress) : undefined
  cache.set(key, value ?? null)
  return value ?? null
}

/** Makes `address` the customer's default, in one statement. */
export async function makeDefault(req: PayloadRequest, customer: DocId, address: DocId): Promise<void> {
  await writeIfMatches(req.payload, {
    collection: 'users',
    where: { id: { equals: customer } },
    data: { defaultAddress: address },
    req,
  })
  cacheOf(req).set(String(customer), address)
}

/** The customer has no default any more, if `address` still was it (a newer default stays). */
export async function unsetDefault(req: PayloadRequest, customer: DocId, address: DocId): Promise<void> {
  const row = await writeIfMatches(req.payload, {
    collection: 'users',
    where: { and: [{ id: { equals: customer } }, { defaultAddress: { equals: address } }] },
    data: { defaultAddress: null },
    req,
  })
  if (row) cacheOf(req).set(String(customer), null)
  else cacheOf(req).delete(String(customer))
}
