import { configToJSONSchema } from 'payload'
import type { SanitizedConfig } from 'payload'

import { AUTH_INTERNAL_FIELDS } from '../access/authInternals'

// Collection configs → OpenAPI components, through the very function `payload generate:types`
// uses (so payload-types.ts and the document describe one shape).

export type JsonSchema = { [key: string]: unknown }

// Never in an answer (src/access/authInternals.ts), nor `password`, which is only ever sent.
const NEVER_ANSWERED = new Set<string>([...AUTH_INTERNAL_FIELDS, 'password'])
// Set by the server: a client that sends them gets a 400 (hooks/everyCollection).
const SERVER_SET = new Set(['id', 'createdAt', 'updatedAt'])
// Keywords of the type generator that are not JSON Schema.
const NOT_JSON_SCHEMA = new Set(['tsType'])

const componentName = (key: string, schema: JsonSchema | undefined): string =>
  typeof schema?.title === 'string'
    ? schema.title
    : key.replace(/(^|[-_])(\w)/g, (_m, _s, c: string) => c.toUpperCase())

function rewrite(value: unknown, names: Map<string, string>, used: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewrite(item, names, used))
  if (!value || typeof value !== 'object') return value
  const out: JsonSchema = {}
  for (const [key, item] of Object.entries(value)) {
    if (NOT_JSON_SCHEMA.has(key)) continue
    if (key === '$ref' && typeof item === 'string' && item.startsWith('#/definitions/')) {
      const target = item.slice('#/definitions/'.length)
      used.add(target)
      out.$ref = `#/components/schemas/${names.get(target) ?? target}`
      continue
    }
    out[key] = rewrite(item, names, used)
  }
  return out
}

function withoutProperties(schema: JsonSchema, drop: Set<string>): JsonSchema {
  const properties = Object.fromEntries(
    Object.entries((schema.properties ?? {}) as Record<string, unknown>).filter(([name]) => !drop.has(name)),
  )
  const required = ((schema.required ?? []) as string[]).filter((name) => !drop.has(name))
  return { ...schema, properties, required }
}

/**
 * What Payload adds to an account in its answers beyond the fields: whether it verified its email,
 * the strategy that authenticated it (login, me), and an `updatedAt` the login answer sends as null.
 */
function asAnsweredAccount(schema: JsonSchema, verify: boolean): JsonSchema {
  const properties = { ...(schema.properties as Record<string, JsonSchema>) }
  if (verify) properties._verified = { type: ['boolean', 'null'] }
  properties._strategy = { type: 'string' }
  properties.updatedAt = { type: ['string', 'null'] }
  return { ...schema, properties }
}

export type CollectionComponents = {
  schemas: Record<string, JsonSchema>
  /** The component of a collection's documents, by slug. */
  documentRef: (slug: string) => string
  /** The component of a create/update body, by slug. */
  inputRef: (slug: string) => string
}

/**
 * Components for the documents of `slugs` (and everything they reference), as answered (auth
 * internals left out) and as sent (server-set fields left out, `password` kept).
 */
export function collectionComponents(
  config: SanitizedConfig,
  idType: 'number' | 'text',
  slugs: readonly string[],
): CollectionComponents {
  const definitions = (configToJSONSchema(config, idType).definitions ?? {}) as Record<string, JsonSchema>
  const names = new Map(Object.keys(definitions).map((key) => [key, componentName(key, definitions[key])]))
  const schemas: Record<string, JsonSchema> = {}
  const pending = [...slugs]
  const done = new Set<string>()
  while (pending.length) {
    const key = pending.pop() as string
    if (done.has(key) || !definitions[key]) continue
    done.add(key)
    const used = new Set<string>()
    const schema = rewrite(definitions[key], names, used) as JsonSchema
    const name = names.get(key) as string
    const collection = config.collections.find((c) => c.slug === key)
    const answered = schema.type === 'object' ? withoutProperties(schema, NEVER_ANSWERED) : schema
    schemas[name] = collection?.auth ? asAnsweredAccount(answered, Boolean(collection.auth.verify)) : answered
    pending.push(...used)
  }
  for (const slug of slugs) {
    const read = schemas[names.get(slug) as string]
    if (!read) continue
    const sent = withoutProperties(rewrite(definitions[slug], names, new Set()) as JsonSchema, SERVER_SET)
    const answeredOnly = new Set([...NEVER_ANSWERED].filter((field) => field !== 'password'))
    schemas[`${names.get(slug)}Input`] = withoutProperties(
      { ...sent, title: `${read.title ?? slug} (create or update)` },
      new Set([...answeredOnly, 'collection']),
    )
  }
  return {
    schemas,
    documentRef: (slug) => `#/components/schemas/${names.get(slug) ?? slug}`,
    inputRef: (slug) => `#/components/schemas/${names.get(slug) ?? slug}Input`,
  }
}
