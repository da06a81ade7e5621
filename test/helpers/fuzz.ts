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

// Numeric parameters with values past what a database column or OFFSET can hold.
const hugeNumber = fc
  .tuple(
    fc.constantFrom('page', 'limit', 'depth'),
    fc.constantFrom('99999999999999999999', '2147483648', '9007199254740993', '1e21', '-0', '00001'),
  )
  .map(([key, value]) => `${key}=${value}`)

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
  .tuple(
    fc.array(fc.tuple(fc.oneof(whereKey, otherKey), queryValue), { maxLength: 4 }),
    fc.option(hugeNumber, { nil: undefined }),
  )
  .map(([pairs, huge]) => {
    const encoded = pairs.map(
      ([key, value]) => `${key.replace(/[^[\]\w$.-]/g, encodeURIComponent)}=${encodeURIComponent(value)}`,
    )
    if (huge) encoded.push(huge)
    return encoded.length === 0 ? '' : `?${encoded.join('&')}`
  })

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
  // GraphQL answers 200 with the error inside: a resolver's 500 is as much a bug.
  if (/"statusCode":5\d\d/.test(res.text))
    throw new Error(`${request} answered a GraphQL 5xx: ${res.text.slice(0, 500)}`)
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

// ----- hostile GraphQL documents ----------------------------------------------------------------------

/** Root fields of the generated schema (lists, single documents, counts, versions, auth, Access). */
const ROOT_FIELDS = [
  'Products',
  'Product',
  'countProducts',
  'Brands',
  'countBrands',
  'Categories',
  'Orders',
  'countOrders',
  'Users',
  'meUser',
  'Coupons',
  'Carts',
  'allMedia',
  'Access',
  'docAccessProduct',
  'versionsProducts',
  'versionProduct',
  'nope',
  '__schema',
  '__typename',
]
const SUBFIELDS = [
  'id',
  'title',
  'name',
  'email',
  'totalDocs',
  'docs',
  'brand',
  'parent',
  'customer',
  'items',
  'roles',
  'sessions',
  'hash',
  'canAccessAdmin',
  'permission',
  '__typename',
]
const GRAPHQL_ARGUMENTS = [
  'limit: 100',
  'limit: 0',
  'limit: -1',
  'limit: 2147483647',
  'limit: 99999999999999999999',
  'page: 2147483647',
  'page: 0',
  'page: -5',
  'id: 1',
  'id: "abc"',
  'id: $id',
  'where: { price: { greater_than: "x" } }',
  'where: { customer: { equals: 1 } }',
  'where: { sessions__id: { exists: true } }',
  'where: $where',
  'sort: "-price"',
  'limit: $limit',
  'draft: true',
  'trash: true',
]

/** A selection set of up to `width` fields, aliased or not, nested `depth` levels, with fragment spreads. */
function selection(depth: number, fragments: readonly string[]): fc.Arbitrary<string> {
  const field = fc
    .tuple(
      fc.option(
        fc.nat({ max: 999 }).map((n) => `a${n}: `),
        { nil: '' },
      ),
      fc.constantFrom(...SUBFIELDS),
      depth > 0 ? fc.option(selection(depth - 1, fragments), { nil: '' }) : fc.constant(''),
    )
    .map(([alias, name, inner]) => `${alias}${name}${inner ? ` ${inner}` : ''}`)
  const spread = fragments.length > 0 ? fc.constantFrom(...fragments.map((name) => `...${name}`)) : field
  return fc
    .array(fc.oneof({ weight: 4, arbitrary: field }, { weight: 1, arbitrary: spread }), {
      minLength: 1,
      maxLength: 5,
    })
    .map((items) => `{ ${items.join(' ')} }`)
}

/**
 * A GraphQL request body: operations of every type (subscription included) with root fields
 * repeated under many aliases, hostile arguments and variables, named fragments that may spread
 * themselves or each other in a cycle, spreads of fragments that do not exist, and syntax errors.
 */
export function hostileGraphql(ids: readonly (number | string)[]): fc.Arbitrary<WireBody> {
  const names = ['A', 'B', 'C']
  const rootField = fc
    .tuple(
      fc.constantFrom(...ROOT_FIELDS),
      fc.array(fc.constantFrom(...GRAPHQL_ARGUMENTS), { maxLength: 2 }),
      fc.option(selection(2, names), { nil: '' }),
    )
    .map(([name, args, inner]) => `${name}${args.length ? `(${args.join(', ')})` : ''} ${inner}`)
  const aliased = fc
    .tuple(rootField, fc.integer({ min: 1, max: 400 }))
    .map(([field, times]) => Array.from({ length: times }, (_, i) => `r${i}: ${field}`).join(' '))
  const operationBody = fc
    .array(fc.oneof({ weight: 3, arbitrary: rootField }, { weight: 1, arbitrary: aliased }), {
      minLength: 1,
      maxLength: 4,
    })
    .map((fields) => `{ ${fields.join(' ')} }`)
  const fragment = fc
    .tuple(
      fc.constantFrom(...names),
      fc.constantFrom('Query', 'Product', 'User', 'Nope'),
      selection(1, names),
    )
    .map(([name, on, inner]) => `fragment ${name} on ${on} ${inner}`)
  const operation = fc
    .tuple(
      fc.constantFrom(
        '',
        'query',
        'query Q($id: Int, $where: Product_where, $limit: Int)',
        'mutation',
        'subscription',
      ),
      operationBody,
    )
    .map(([head, body]) => `${head} ${body}`)
  const document = fc
    .tuple(fc.array(operation, { minLength: 1, maxLength: 2 }), fc.array(fragment, { maxLength: 3 }))
    .map(([operations, fragments]) => [...operations, ...fragments].join('\n'))
  const broken = fc.constantFrom(
    '{',
    '{ a { b { c',
    'query { ...A } fragment A on Query { ...A }',
    'fragment A on Query { ...B } fragment B on Query { ...A } { ...A }',
    '{ ...Missing }',
    `{ ${'a { '.repeat(2000)}${'}'.repeat(2000)} }`,
    `query { Products { docs { ${'...F '.repeat(500)} } } } fragment F on Product { id ...G } fragment G on Product { title }`,
    '{ Access { canAccessAdmin products { fields { title { read { permission } } } } } }',
    // Valid documents, so that fuzzing reaches execution and not only validation.
    `{ ${Array.from({ length: 19 }, (_, i) => `p${i}: Products(limit: 5) { docs { id title brand { name } } }`).join(' ')} }`,
    `{ ${Array.from({ length: 21 }, (_, i) => `c${i}: countProducts { totalDocs }`).join(' ')} }`,
    '{ Orders(limit: 100) { docs { id orderNumber customer { email roles } items { product { title } } } } }',
    '{ Users { docs { id email roles } } meUser { user { id email } } }',
    '{ Categories(limit: 100) { docs { name parent { name parent { name parent { name } } } } } }',
    'query ($w: Product_where) { Products(where: $w) { totalDocs } }',
    '{ Products(where: { OR: [{ price: { greater_than: 1 } }, { title: { like: "%" } }] }) { docs { id } } }',
    '\u0000',
    '',
  )
  const variables = fc.option(
    fc.record({
      id: hostileValue(ids),
      where: hostileValue(ids),
      limit: fc.constantFrom<unknown>(100, 0, -1, 1e21, 'x', null),
    }),
    { nil: undefined },
  )
  return fc
    .tuple(
      fc.oneof({ weight: 4, arbitrary: document }, { weight: 1, arbitrary: broken }),
      variables,
      fc.option(fc.constantFrom('Q', 'nope', ''), { nil: undefined }),
    )
    .map(([query, vars, operationName]) => ({
      body: encode({
        query,
        ...(vars && { variables: vars }),
        ...(operationName !== undefined && { operationName }),
      }),
      contentType: 'application/json',
    }))
}

// ----- hostile uploads ------------------------------------------------------------------------------------

/** Filenames that break parsers and file systems: NUL and control bytes, very long, traversal, quotes. */
export const hostileFilename: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'a\u0000b.png',
    '\u0000',
    'x'.repeat(5000) + '.png',
    'ü'.repeat(300) + '.png',
    '../../etc/passwd',
    '..',
    '.',
    '',
    'a"b.png',
    'a\r\nX-Injected: 1.png',
    'a;b=c.png',
    'CON.png',
    '%00.png',
    '.htaccess',
    'a/b\\c.png',
    '\u202egnp.exe',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
)

/** A multipart body with one `file` part named `filename` (bytes as written, no escaping) and maybe `_payload`. */
export function multipart(
  filename: string,
  payloadJson: string | undefined,
): { body: Buffer; contentType: string } {
  const boundary = '----fuzz-boundary-7d1'
  const parts: Buffer[] = [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: image/png\r\n\r\n`,
      'utf8',
    ),
    // A 1×1 PNG.
    Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
      'base64',
    ),
    Buffer.from('\r\n'),
  ]
  if (payloadJson !== undefined)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="_payload"\r\n\r\n${payloadJson}\r\n`,
      ),
    )
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` }
}
