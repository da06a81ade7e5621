import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import type { Endpoint, SanitizedConfig } from 'payload'
import { z } from 'zod'

import { collectionComponents } from './collections'
import type { JsonSchema } from './collections'
import { docOf, placeholderOf } from './describe'
import type { OperationDoc } from './describe'
import { ErrorAnswer } from './payloadShapes'
import { DESCRIBED_COLLECTIONS, GRAPHQL_ROUTE, generatedRoutes } from './restRoutes'
import type { Route } from './restRoutes'

// GET /api/openapi.json: built once per config from the endpoints' own descriptions (describe.ts),
// the generated routes (restRoutes.ts) and the collection configs (collections.ts).

export type OpenApiDocument = {
  openapi: '3.1.0'
  info: { title: string; version: string; description: string }
  servers: { url: string }[]
  tags: { name: string }[]
  paths: Record<string, Record<string, JsonSchema>>
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> }
}

const DESCRIPTION = `The storefront and operator API of the store. Money is an integer in minor units
(cents) everywhere. Errors answer \`{"errors":[{"message", "data"?}]}\` with a 4xx status for what the
client did wrong; a 5xx means a bug or a dependency that is down.

Authenticate with \`Authorization: JWT <token>\` (the token from \`POST /api/users/login\`) or the
\`payload-token\` cookie the login sets; the cookie counts only on requests whose \`Origin\` is one
of the store's trusted origins (SERVER_URL, STOREFRONT_URL, CORS_ORIGINS).`

const SECURITY_SCHEMES: Record<string, JsonSchema> = {
  jwt: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: '`JWT <token>`, the token answered by `POST /api/users/login`.',
  },
  cookie: {
    type: 'apiKey',
    in: 'cookie',
    name: 'payload-token',
    description:
      'Set by `POST /api/users/login`. Honoured only when the request comes from a trusted origin (its `Origin` header is SERVER_URL, STOREFRONT_URL or one of CORS_ORIGINS); otherwise the caller is anonymous.',
  },
  cartToken: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Cart-Token',
    description:
      "A guest cart's token, answered by `POST /api/carts/guest`: the cart endpoints and checkout without a login (ignored with one).",
  },
  orderToken: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Order-Token',
    description:
      "A guest order's token, answered by a guest checkout as `orderToken`: reads and cancels that one order (ignored with a login).",
  },
}

const SIGNED_IN = [{ jwt: [] }, { cookie: [] }]

const security = (doc: OperationDoc): JsonSchema[] => {
  if (doc.audience === 'user' || doc.audience === 'admin') return SIGNED_IN
  if (doc.audience === 'cart') return [...SIGNED_IN, { cartToken: [] }]
  if (doc.audience === 'order') return [...SIGNED_IN, { orderToken: [] }]
  if (doc.audience === 'signature') return []
  return [{}, ...SIGNED_IN]
}

/** Turns zod schemas into JSON Schema 2020-12, hoisting named ones (`.meta({id})`) to components. */
class SchemaWriter {
  readonly schemas: Record<string, JsonSchema>
  constructor(
    base: Record<string, JsonSchema>,
    private readonly refs: { documentRef: (slug: string) => string; inputRef: (slug: string) => string },
  ) {
    this.schemas = { ...base }
  }

  write(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const json = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'any',
      override: ({ zodSchema, jsonSchema }) => {
        const placeholder = placeholderOf(zodSchema)
        if (!placeholder) return
        for (const key of Object.keys(jsonSchema)) delete (jsonSchema as JsonSchema)[key]
        jsonSchema.$ref =
          placeholder.kind === 'document'
            ? this.refs.documentRef(placeholder.slug)
            : this.refs.inputRef(placeholder.slug)
      },
    }) as JsonSchema
    const { $defs, ...rest } = json
    delete rest.$schema
    for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
      const schema = relinked(def)
      const existing = this.schemas[id]
      // Two different schemas under one name would silently describe one with the other.
      if (existing && JSON.stringify(existing) !== JSON.stringify(schema))
        throw new Error(`OpenAPI: two schemas are named ${id}`)
      this.schemas[id] = schema
    }
    return relinked(rest)
  }
}

function relinked<T>(value: T): T {
  if (Array.isArray(value)) return value.map(relinked) as T
  if (!value || typeof value !== 'object') return value
  const out: JsonSchema = {}
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      key === '$ref' && typeof item === 'string' && item.startsWith('#/$defs/')
        ? `#/components/schemas/${item.slice('#/$defs/'.length)}`
        : relinked(item)
  }
  return out as T
}

const openApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '') || '/'

function operationId(method: string, path: string): string {
  const words = path
    .replace(/^\/api\//, '')
    .split(/[/-]/)
    .filter(Boolean)
    .map((word) => (word.startsWith('{') ? `By${word.slice(1, -1)}` : word))
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
  return method + words.join('')
}

function errorResponse(description: string): JsonSchema {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }
}

function operation(method: string, path: string, doc: OperationDoc, writer: SchemaWriter): JsonSchema {
  const parameters: JsonSchema[] = []
  for (const [name, description] of Object.entries(doc.params ?? {}))
    parameters.push({ name, in: 'path', required: true, description, schema: { type: 'string' } })
  for (const [name, field] of Object.entries(doc.query?.shape ?? {})) {
    const schema = writer.write(field as z.ZodType, 'input')
    const { description, ...rest } = schema
    parameters.push({
      name,
      in: 'query',
      required: false,
      ...(description ? { description } : {}),
      schema: rest,
    })
  }
  for (const [name, header] of Object.entries(doc.headers ?? {}))
    parameters.push({
      name,
      in: 'header',
      required: header.required ?? false,
      description: header.description,
      schema: { type: 'string' },
    })

  const responses: JsonSchema = {}
  for (const [status, response] of Object.entries(doc.responses)) {
    const headers = response.headers
      ? Object.fromEntries(
          Object.entries(response.headers).map(([name, description]) => [
            name,
            { description, schema: { type: 'string' } },
          ]),
        )
      : undefined
    if (response.body) {
      responses[status] = {
        description: response.description,
        ...(headers && { headers }),
        content: { 'application/json': { schema: writer.write(response.body, 'output') } },
      }
    } else if (Number(status) >= 400) {
      responses[status] = { ...errorResponse(response.description), ...(headers && { headers }) }
    } else {
      responses[status] = { description: response.description, ...(headers && { headers }) }
    }
  }
  const hasInput = Boolean(doc.body || doc.rawBody || doc.query || doc.params)
  const defaults: [string, string, boolean][] = [
    ['400', 'bad input: the message names each wrong field; nothing changed', hasInput],
    [
      '401',
      doc.audience === 'cart'
        ? 'neither logged in nor a guest cart token (custom endpoints)'
        : 'not logged in (custom endpoints)',
      doc.audience === 'user' || doc.audience === 'admin' || doc.audience === 'cart',
    ],
    [
      '403',
      doc.audience === 'admin'
        ? 'not an admin (generated routes also answer 403 to anonymous callers)'
        : 'not allowed',
      doc.audience === 'user' || doc.audience === 'admin',
    ],
    ['503', 'the database is unavailable; try again shortly (`Retry-After`)', true],
  ]
  for (const [status, description, applies] of defaults)
    if (applies && !responses[status]) responses[status] = errorResponse(description)

  const result: JsonSchema = {
    operationId: operationId(method, path),
    summary: doc.summary,
    ...(doc.description && { description: doc.description }),
    tags: [doc.tag],
    security: security(doc),
    ...(parameters.length && { parameters }),
    responses,
  }
  if (doc.body) {
    result.requestBody = {
      required: true,
      content: { [doc.bodyMediaType ?? 'application/json']: { schema: writer.write(doc.body, 'input') } },
    }
  } else if (doc.rawBody) {
    result.requestBody = {
      required: true,
      description: doc.rawBody.description,
      content: { [doc.rawBody.mediaType]: { schema: { type: 'string' } } },
    }
  }
  return result
}

type Described = { method: string; path: string; doc: OperationDoc }

/** Every route of `config` the document describes, with its full `/api/...` path. */
export function describedRoutes(config: SanitizedConfig): Described[] {
  const routes: Described[] = []
  const endpointRoutes = (prefix: string, endpoints: Endpoint[] | false | undefined) => {
    for (const endpoint of endpoints || []) {
      const doc = docOf(endpoint)
      if (doc) routes.push({ method: endpoint.method, path: `${prefix}${endpoint.path}`, doc })
    }
  }
  endpointRoutes('/api', config.endpoints)
  const generated = generatedRoutes()
  for (const collection of config.collections) {
    endpointRoutes(`/api/${collection.slug}`, collection.endpoints)
    const taken = new Set(routes.map((route) => `${route.method} ${route.path}`))
    for (const route of generated.get(collection.slug) ?? []) {
      const path = `/api/${collection.slug}${route.path === '/' ? '' : route.path}`
      if (!taken.has(`${route.method} ${path}`)) routes.push({ ...route, path })
    }
  }
  const graphql: Route = GRAPHQL_ROUTE
  routes.push({ ...graphql, path: `/api${graphql.path}` })
  return routes
}

const built = new WeakMap<SanitizedConfig, Map<string, OpenApiDocument>>()

const packageFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../package.json')
const version = (JSON.parse(readFileSync(packageFile, 'utf8')) as { version: string }).version

/** The document for `config`; ids are numbers on the SQL adapters, text (ObjectIds) on MongoDB. */
export function openApiDocument(config: SanitizedConfig, idType: 'number' | 'text'): OpenApiDocument {
  const cached = built.get(config)?.get(idType)
  if (cached) return cached
  const collections = collectionComponents(
    config,
    idType,
    DESCRIBED_COLLECTIONS.map((c) => c.slug),
  )
  const writer = new SchemaWriter(collections.schemas, collections)
  writer.write(ErrorAnswer, 'output')
  const paths: OpenApiDocument['paths'] = {}
  const tags = new Set<string>()
  for (const route of describedRoutes(config)) {
    const path = openApiPath(route.path)
    paths[path] ??= {}
    paths[path][route.method] = operation(route.method, path, route.doc, writer)
    tags.add(route.doc.tag)
  }
  const document: OpenApiDocument = {
    openapi: '3.1.0',
    info: { title: 'Store API', version, description: DESCRIPTION },
    servers: [{ url: '/' }],
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: { schemas: writer.schemas, securitySchemes: SECURITY_SCHEMES },
  }
  built.set(config, (built.get(config) ?? new Map<string, OpenApiDocument>()).set(idType, document))
  return document
}
