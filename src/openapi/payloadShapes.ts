import { z } from 'zod'

import { collectionDocument } from './describe'

// Payload's answers are loose objects: Payload may add keys (a new version does), the documents
// inside them are described exactly.
// The answers of Payload's generated REST routes, as Payload builds them (payload/dist/collections
// /endpoints, auth/endpoints), around the documents the collection configs describe.

/**
 * Every error, custom or generated: `{"errors":[{"message", "data"?}]}`. The store's own refusals
 * carry `data.code` (src/errors.ts); Payload's validation errors `name` and `data.errors`.
 */
export const ErrorAnswer = z
  .object({
    errors: z
      .array(
        z.object({
          message: z.string(),
          name: z.string().optional(),
          data: z
            .looseObject({
              code: z
                .string()
                .optional()
                .describe('the store error code (src/errors.ts), when the store refused'),
              errors: z
                .array(z.looseObject({ path: z.string().optional(), message: z.string() }))
                .optional()
                .describe('one entry per invalid field'),
            })
            .nullable()
            .optional(),
          field: z.string().optional(),
        }),
      )
      .min(1),
  })
  .meta({ id: 'Error' })

/** One page of a collection: `GET /api/<collection>`. */
export function listPage(slug: string): z.ZodType {
  return z.looseObject({
    docs: z.array(collectionDocument(slug)),
    totalDocs: z.number().int(),
    limit: z.number().int(),
    totalPages: z.number().int(),
    page: z.number().int().optional(),
    pagingCounter: z.number().int(),
    hasPrevPage: z.boolean(),
    hasNextPage: z.boolean(),
    prevPage: z.number().int().nullable().optional(),
    nextPage: z.number().int().nullable().optional(),
  })
}

/** A create, update or delete of one document: the document and Payload's message. */
export function changed(slug: string): z.ZodType {
  return z.looseObject({ doc: collectionDocument(slug), message: z.string() })
}

/** An update or delete by `where`: the documents changed and any that failed. */
export function changedMany(slug: string): z.ZodType {
  return z.looseObject({
    docs: z.array(collectionDocument(slug)),
    errors: z.array(z.looseObject({ id: z.union([z.string(), z.number()]).optional(), message: z.string() })),
    message: z.string(),
  })
}

export const Count = z.looseObject({ totalDocs: z.number().int() })

export const Message = z.looseObject({ message: z.string() })

export const Credentials = z.object({ email: z.email(), password: z.string().min(1) })

export function signedIn(slug: string): z.ZodType {
  return z.looseObject({
    message: z.string().optional(),
    user: collectionDocument(slug),
    token: z.string().describe('send it as `Authorization: JWT <token>`'),
    exp: z.number().int().describe('expiry, seconds since the epoch'),
  })
}

export function me(slug: string): z.ZodType {
  return z.looseObject({
    user: collectionDocument(slug).nullable(),
    collection: z.string().optional(),
    strategy: z.string().optional(),
    message: z.string().optional(),
    token: z.string().optional(),
    exp: z.number().int().optional(),
  })
}

export function refreshed(slug: string): z.ZodType {
  return z.looseObject({
    message: z.string().optional(),
    refreshedToken: z.string(),
    exp: z.number().int(),
    user: collectionDocument(slug),
  })
}

/** Query parameters of Payload's list and read routes. */
export const ListQuery = z.object({
  where: z
    .string()
    .optional()
    .describe('Payload query, e.g. `where[status][equals]=published` (bracket syntax) or JSON text'),
  sort: z.string().optional().describe('a field name, `-` before it for descending'),
  limit: z.number().int().min(0).max(2147483647).optional().describe('page size; at most 100 answered'),
  page: z.number().int().min(0).max(2147483647).optional(),
  depth: z.number().int().min(0).max(2147483647).optional().describe('how deep relations are populated'),
  trash: z.boolean().optional().describe('admins: include trashed documents'),
  select: z.string().optional().describe('fields to answer, e.g. `select[title]=true`'),
})

export const ReadQuery = ListQuery.pick({ depth: true, trash: true, select: true })
