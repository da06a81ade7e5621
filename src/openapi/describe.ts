import type { Endpoint } from 'payload'
import { z } from 'zod'

// How an endpoint describes itself for /api/openapi.json: its request and response schemas are
// the zod schemas its handler uses (or declares beside it), so the document cannot drift from
// the code. Payload's own routes are described from the collection configs (restRoutes.ts).

/** Who may call an operation: the security requirement and the refusals that follow from it. */
/**
 * Who may call: anyone; a logged-in user; a user or a guest cart's token (`cart`); a user or a
 * guest order's token (`order`); an admin; or whoever holds the signature (Stripe).
 */
export type Audience = 'anyone' | 'user' | 'cart' | 'order' | 'admin' | 'signature'

export type ResponseDoc = {
  description: string
  /** The JSON answer; a 4xx/5xx without one answers the error shape. */
  body?: z.ZodType
  headers?: Record<string, string>
}

export type OperationDoc = {
  summary: string
  description?: string
  tag: string
  audience: Audience
  /** Path parameters, by name: their description. */
  params?: Record<string, string>
  query?: z.ZodObject
  headers?: Record<string, { description: string; required?: boolean }>
  body?: z.ZodType
  /** The body's media type when it is not JSON (uploads: multipart/form-data). */
  bodyMediaType?: string
  /** A body that is not JSON the handler parses itself (Stripe's raw, signed body). */
  rawBody?: { mediaType: string; description: string }
  responses: Record<number, ResponseDoc>
}

const DOC_KEY = 'openapi'

/** The endpoint with its description attached (Payload keeps `custom` for exactly this). */
export function documented<E extends Endpoint>(endpoint: E, doc: OperationDoc): E {
  return { ...endpoint, custom: { ...endpoint.custom, [DOC_KEY]: doc } }
}

export function docOf(endpoint: Pick<Endpoint, 'custom'>): OperationDoc | undefined {
  const doc: unknown = endpoint.custom?.[DOC_KEY]
  return doc && typeof doc === 'object' ? (doc as OperationDoc) : undefined
}

// A collection's document inside a zod schema: a placeholder the generator replaces by a reference
// to the schema Payload derives from that collection's fields.
export type Placeholder = { slug: string; kind: 'document' | 'input' }
const placeholders = new WeakMap<z.ZodType, Placeholder>()

function placeholder(slug: string, kind: Placeholder['kind']): z.ZodType {
  const schema = z.unknown()
  placeholders.set(schema, { slug, kind })
  return schema
}

/** A document of `slug` as the REST API answers it (the collection's fields, from its config). */
export const collectionDocument = (slug: string): z.ZodType => placeholder(slug, 'document')

/** A create or update body of `slug` (its fields less those the server sets). */
export const collectionInput = (slug: string): z.ZodType => placeholder(slug, 'input')

export function placeholderOf(schema: unknown): Placeholder | undefined {
  return schema && typeof schema === 'object' ? placeholders.get(schema as z.ZodType) : undefined
}
