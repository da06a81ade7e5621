import { EventEmitter } from 'node:events'

import { expect } from '@jest/globals'
import fc from 'fast-check'
import type { Payload } from 'payload'

import type { ApiResponse } from './http'

// Shared pieces of the property-based tests (test/fuzz-*.test.ts): hostile JSON, hostile query
// strings, a snapshot of every document a request must not change, and the checks each answer
// must pass. See README.md, "Fuzzing".

/** Runs per property: FUZZ_RUNS raises it (e.g. FUZZ_RUNS=2000); FUZZ_SEED/FUZZ_PATH replay a failure. */
export function fuzzParameters(defaultRuns: number): fc.Parameters<unknown> {
  const runs = Number(process.env.FUZZ_RUNS)
  const seed = Number(process.env.FUZZ_SEED)
  return {
    numRuns: Number.isInteger(runs) && runs > 0 ? runs : defaultRuns,
    ...(Number.isInteger(seed) ? { seed } : {}),
    ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
    // The shrunk counterexample, its seed and path are in the failure message.
    verbose: 1,
    endOnFailure: process.env.FUZZ_SHRINK !== '1',
  }
}

// ----- hostile JSON ------------------------------------------------------------------------------------

/** Tokens JSON.stringify cannot write (1e309 parses as Infinity, -0 stays -0); spliced into the text. */
const RAW_TOKENS = [
  '1e309',
  '-1e309',
  '-0',
  '1e-400',
  '123456789012345678901234567890',
  '0.1e1',
  '-0.0',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
  `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
  `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`,
]
const RAW = (token: string): string => `@@RAW${RAW_TOKENS.indexOf(token)}@@`

/** Field names of every collection plus the keys attackers try. */
export const FIELD_NAMES = [
  'id',
  'title',
  'slug',
  'price',
  'compareAtPrice',
  'stock',
  'sku',
  'status',
  'brand',
  'categories',
  'allCategories',
  'mainImage',
  'images',
  'description',
  'deletedAt',
  'name',
  'parent',
  'image',
  'customer',
  'items',
  'product',
  'quantity',
  'coupon',
  'code',
  'type',
  'value',
  'usedCount',
  'maxUses',
  'active',
  'orderNumber',
  'total',
  'subtotal',
  'paymentStatus',
  'paymentMethod',
  'shippingAddress',
  'statusHistory',
  'email',
  'password',
  'roles',
  '_verified',
  'hash',
  'salt',
  'loginAttempts',
  'lockUntil',
  'sessions',
  'resetPasswordToken',
  'owner',
  'private',
  'filename',
  'url',
  'alt',
  'message',
  'room',
  'createdAt',
  'updatedAt',
  'customer.email',
  'customer.roles',
  'items.product',
]

const ATTACK_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '$gt',
  '$ne',
  '$where',
  '$set',
  '$inc',
  '$regex',
]
const OPERATORS = [
  'equals',
  'not_equals',
  'in',
  'not_in',
  'all',
  'exists',
  'like',
  'contains',
  'greater_than',
  'less_than_equal',
  'near',
  'within',
  'intersects',
  '$gt',
  '$ne',
  '$in',
  '$regex',
  '$where',
  '$exists',
  '$inc',
]

const HOSTILE_STRINGS = [
  '',
  ' ',
  '0',
  '-1',
  '1.5',
  '1e309',
  'NaN',
  'Infinity',
  '-0',
  'null',
  'undefined',
  'true',
  '0x10',
  '1_000',
  '１２',
  '\u0000',
  '%00',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '"; DROP TABLE products; --',
  '{"$gt":""}',
  '__proto__',
  'constructor',
  'a'.repeat(10_000),
  'published',
  'draft',
  'admin',
  'customer',
  'cod',
  'card',
  'cancelled',
  'paid',
  'public:lobby',
  '2026-01-01T00:00:00.000Z',
  'not-a-date',
  '507f1f77bcf86cd799439011',
  '9999999999999999999999',
]

const HOSTILE_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  -1.5,
  99,
  100,
  1e21,
  -1e21,
  Number.MAX_SAFE_INTEGER,
  2 ** 53 + 2,
  2 ** 31,
  -(2 ** 31) - 1,
  1e308,
  Number.MIN_VALUE,
]

/** Builds an object whose keys (even `__proto__`) are its own, enumerable properties. */
function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const object: Record<string, unknown> = {}
  for (const [key, value] of entries) {
    Object.defineProperty(object, key, { value, enumerable: true, configurable: true, writable: true })
  }
  return object
}

const POLLUTION = [
  objectOf([['__proto__', { polluted: 'yes' }]]),
  { constructor: { prototype: { polluted: 'yes' } } },
  objectOf([['__proto__', objectOf([['__proto__', { polluted: 'yes' }]])]]),
  { prototype: { polluted: 'yes' } },
]

export function hostileValue(ids: readonly (number | string)[]): fc.Arbitrary<unknown> {
  const leaf: fc.Arbitrary<unknown> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom<unknown>(null, true, false, ...HOSTILE_NUMBERS, ...HOSTILE_STRINGS),
    },
    { weight: 2, arbitrary: fc.constantFrom<unknown>(...ids, ...ids.map(String)) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_TOKENS.map(RAW)) },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  )
  const key = fc.oneof(
    fc.constantFrom(...FIELD_NAMES, ...ATTACK_KEYS, ...OPERATORS),
    fc.string({ maxLength: 12 }),
  )
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 5, arbitrary: leaf },
      { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
      {
        weight: 1,
        arbitrary: fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map(objectOf),
      },
      {
        weight: 1,
        arbitrary: fc.tuple(fc.constantFrom(...OPERATORS), leaf).map(([op, v]) => objectOf([[op, v]])),
      },
      { weight: 1, arbitrary: fc.constantFrom(...POLLUTION) },
    ),
  }))
  return value
}

/**
 * A body for an endpoint that expects `keys`: mostly an object with those keys (so strict
 * schemas are passed into, not only refused at the door), with hostile values and extra keys;
 * sometimes anything at all (an array, a number, a pollution payload).
 */
export function hostileBody(
  ids: readonly (number | string)[],
  shape: Record<string, fc.Arbitrary<unknown> | undefined>,
): fc.Arbitrary<unknown> {
  const value = hostileValue(ids)
  const fields = Object.keys(shape).map((name) =>
    fc.option(fc.tuple(fc.constant(name), fc.oneof(value, shape[name] ?? value)), { nil: undefined }),
  )
  const extra = fc.array(fc.tuple(fc.constantFrom(...ATTACK_KEYS, ...FIELD_NAMES), value), { maxLength: 2 })
  const shaped = fc
    .tuple(
      fc.tuple(...fields),
      fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: extra }),
    )
    .map(([known, more]) =>
      objectOf([...known.filter((entry): entry is [string, unknown] => entry !== undefined), ...more]),
    )
  return fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: value })
}

/** The wire form of a body: JSON (with the raw tokens spliced in), broken JSON, or another type. */
export type WireBody = { body?: string; contentType?: string }

export function encode(value: unknown): string {
  return JSON.stringify(value).replace(
    /"@@RAW(\d+)@@"/g,
    (_match, index: string) => RAW_TOKENS[Number(index)] ?? '0',
  )
}

export function wireBody(body: fc.Arbitrary<unknown>): fc.Arbitrary<WireBody> {
  return fc.oneof(
    { weight: 8, arbitrary: body.map((value) => ({ body: encode(value), contentType: 'application/json' })) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<WireBody>(
        { body: '{', contentType: 'application/json' },
        { body: '{"quantity":}', contentType: 'application/json' },
        { body: '\u0000', contentType: 'application/json' },
        { body: 'null', contentType: 'application/json' },
        { body: '', contentType: 'application/json' },
        { body: '{"a":1}', contentType: 'text/plain' },
        { body: 'product=1&quantity=1', contentType: 'application/x-www-form-urlencoded' },
        { body: '__proto__[polluted]=yes', contentType: 'application/x-www-form-urlencoded' },
        { body: '{"quantity":1}' },
        {},
      ),
    },
    { weight: 1, arbitrary: body.map((value) => ({ body: encode(value), contentType: 'text/plain' })) },
  )
}

// ----- hostile query strings ----------------------------------------------------------------------------

const queryValue = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS.filter((text) => text.length < 100)),
  fc.string({ maxLength: 20 }),
  fc.integer().map(String),
)

const whereKey = fc.oneof(
  fc
    .tuple(fc.constantFrom(...FIELD_NAMES, ...ATTACK_KEYS), fc.constantFrom(...OPERATORS, ...ATTACK_KEYS))
    .map(([field, op]) => `where[${field}][${op}]`),
  fc
    .tuple(
      fc.constantFrom('or', 'and'),
      fc.nat({ max: 2 }),
      fc.constantFrom(...FIELD_NAMES),
      fc.constantFrom(...OPERATORS),
    )
    .map(([join, index, field, op]) => `where[${join}][${index}][${field}][${op}]`),
  fc
    .tuple(fc.constantFrom(...FIELD_NAMES), fc.constantFrom('in', 'not_in', 'all', '$in'), fc.nat({ max: 3 }))
    .map(([field, op, index]) => `where[${field}][${op}][${index}]`),
  fc.constantFrom(
    'where[__proto__][polluted]',
    'where[constructor][prototype][polluted]',
    '__proto__[polluted]',
    'constructor[prototype][polluted]',
    'where',
    'where[]',
    'where[price]',
    'where[price][$gt][$gt]',
  ),
)

const otherKey = fc.constantFrom(
  'depth',
  'limit',
  'page',
  'sort',
  'trash',
  'draft',
  'pagination',
  'locale',
  'fallback-locale',
  'select[email]',
  'select[hash]',
  'select[__proto__]',
  'populate[users][email]',
  'joins[orders][limit]',
  'sort[$gt]',
  'limit[]',
)

/** A query string of up to 4 parameters (`where[price][$gt]=…`, `depth=1e309`, …), keys with brackets. */
export const hostileQuery: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.oneof(whereKey, otherKey), queryValue), { maxLength: 4 })
  .map((pairs) =>
    pairs.length === 0
      ? ''
      : `?${pairs.map(([key, value]) => `${key.replace(/[^[\]\w$.-]/g, encodeURIComponent)}=${encodeURIComponent(value)}`).join('&')}`,
  )

/** Path ids: real ones (ours and others'), and ids no database can parse. */
export function hostileId(ids: readonly (number | string)[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ids.map(String)) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '0',
        '-1',
        '1.5',
        '1e3',
        '0x10',
        '9007199254740993',
        '99999999999999999999',
        'abc',
        '507f1f77bcf86cd799439011',
        '%00',
        '%2e%2e',
        'null',
        'undefined',
        '__proto__',
        'constructor',
        '%20%31',
        'NaN',
        "1'%20OR%20'1'='1",
        'mine',
      ),
    },
    { weight: 1, arbitrary: fc.nat().map(String) },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }).map(encodeURIComponent) },
  )
}

// ----- what every answer must respect ----------------------------------------------------------------

// Object.prototype of this realm (the server's modules run in Jest's context) and of Node's own
// (core modules and the fetch machinery parse JSON there).
const PROTOTYPES = [
  Object.prototype,
  Object.getPrototypeOf(Object.getPrototypeOf(new EventEmitter())) as object,
]
const cleanPrototypes = PROTOTYPES.map((proto) => Object.getOwnPropertyNames(proto).sort().join(','))

export function expectPrototypesClean(): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  PROTOTYPES.forEach((proto, index) => {
    expect(Object.getOwnPropertyNames(proto).sort().join(',')).toBe(cleanPrototypes[index])
  })
}

const PRIVATE_KEYS = /"(hash|salt|_verificationToken|resetPasswordToken|resetPasswordExpiration)"\s*:/

/** Never a 5xx; never a secret of someone else (their email, their order numbers, hidden catalog). */
export function expectSafeAnswer(
  request: string,
  res: ApiResponse<unknown>,
  secrets: readonly string[],
): void {
  if (res.status >= 500) throw new Error(`${request} answered ${res.status}: ${res.text.slice(0, 500)}`)
  for (const secret of secrets) {
    if (res.text.includes(secret)) throw new Error(`${request} leaked ${secret}: ${res.text.slice(0, 500)}`)
  }
  if (PRIVATE_KEYS.test(res.text))
    throw new Error(`${request} leaked a private field: ${res.text.slice(0, 500)}`)
  expectPrototypesClean()
}

// ----- what a request must not change -------------------------------------------------------------------

/** Every collection whose documents a fuzzed request may not change (bookkeeping ones aside). */
const WATCHED = [
  'products',
  'brands',
  'categories',
  'media',
  'orders',
  'carts',
  'coupons',
  'users',
  'coupon-usages',
  'stripe-events',
] as const

export type Snapshot = Map<string, string>

export async function snapshot(payload: Payload): Promise<Snapshot> {
  const docs = new Map<string, string>()
  // The adapter directly: no hooks, no access, trashed documents included, and fast.
  const found = await Promise.all(
    WATCHED.map((collection) =>
      payload.db.find({ collection, limit: 0, pagination: false, sort: 'id', where: {} }),
    ),
  )
  found.forEach((result, index) => {
    for (const doc of result.docs) docs.set(`${WATCHED[index]}:${doc.id}`, JSON.stringify(doc))
  })
  return docs
}

type Actor = { id: number | string } | undefined

/**
 * What a customer or anonymous request may change: the customer's own cart (created, filled,
 * emptied), their own profile apart from its roles, and a new unverified customer (registration).
 * Everything else must be byte for byte what it was.
 */
export function expectUnchanged(before: Snapshot, after: Snapshot, actor: Actor, request: string): void {
  const own = (json: string, field: string): boolean => {
    const doc = JSON.parse(json) as Record<string, unknown>
    return actor !== undefined && doc[field] === actor.id
  }
  for (const [key, json] of before) {
    const now = after.get(key)
    if (now === json) continue
    if (key.startsWith('carts:') && own(json, 'customer') && (now === undefined || own(now, 'customer')))
      continue
    if (actor && key === `users:${actor.id}` && now !== undefined) {
      const roles = (text: string) => JSON.stringify((JSON.parse(text) as { roles?: unknown }).roles)
      if (roles(now) === roles(json)) continue
    }
    throw new Error(`${request} changed ${key}:\nbefore ${json}\nafter  ${now ?? '(deleted)'}`)
  }
  for (const [key, json] of after) {
    if (before.has(key)) continue
    if (key.startsWith('carts:') && own(json, 'customer')) continue
    if (key.startsWith('users:')) {
      const user = JSON.parse(json) as { roles?: string[]; _verified?: boolean }
      if (JSON.stringify(user.roles) === '["customer"]' && user._verified !== true) continue
    }
    throw new Error(`${request} created ${key}: ${json}`)
  }
}
