import { createHash } from 'node:crypto'

import { APIError } from 'payload'
import type { PayloadRequest } from 'payload'

import type { DocId } from '../db/ids'
import { StoreError } from '../errors'
import { logger } from '../logger'

export type Outcome = { status: number; body: unknown; order?: DocId }

const WAIT_MS = 15_000
const POLL_MS = 50
const KEY = /^[\x21-\x7e]{1,200}$/

export function requestHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex')
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Client errors are answers too (the same retry gets the same 4xx); server errors are not kept. */
function asOutcome(error: unknown): Outcome | undefined {
  if (error instanceof APIError && error.status < 500) {
    return {
      status: error.status,
      body: { errors: [{ message: error.message, data: error.data ?? undefined }] },
    }
  }
  return undefined
}

/** Whose keys these are: a customer, or a guest cart (`key`: its token's hash). */
export type KeyOwner = { key: string; customer: DocId | null }

/**
 * Runs `work` once per (customer or guest cart, Idempotency-Key). The key is claimed with a unique row in the
 * database before any work, so concurrent retries on any instance wait for the first and get
 * its answer; the same key with a different request is a 409.
 */
export async function idempotent(
  req: PayloadRequest,
  owner: KeyOwner,
  key: string | undefined,
  request: unknown,
  work: () => Promise<Outcome>,
): Promise<Outcome> {
  if (key === undefined) return work()
  if (!KEY.test(key))
    throw new StoreError('BAD_REQUEST', 'Idempotency-Key must be 1–200 visible ASCII characters.')
  const id = `${owner.key}:${key}`
  const hash = requestHash(request)
  const deadline = Date.now() + WAIT_MS

  while (Date.now() < deadline) {
    let claimed: { id: number | string } | undefined
    try {
      claimed = await req.payload.create({
        collection: 'idempotency-keys',
        data: { key: id, customer: owner.customer, requestHash: hash, state: 'processing' },
        depth: 0,
      })
    } catch {
      claimed = undefined
    }
    if (claimed) {
      let outcome: Outcome
      try {
        outcome = await work()
      } catch (error) {
        const known = asOutcome(error)
        if (!known) {
          // Nothing was kept: the next retry with this key may try again.
          await req.payload.delete({ collection: 'idempotency-keys', id: claimed.id }).catch(() => undefined)
          throw error
        }
        outcome = known
      }
      await req.payload
        .update({
          collection: 'idempotency-keys',
          id: claimed.id,
          data: {
            state: 'done',
            status: outcome.status,
            response: outcome.body as Record<string, unknown>,
            order: outcome.order ?? null,
          },
          depth: 0,
        })
        .catch((error: unknown) => logger.error({ err: error }, 'idempotency answer could not be stored'))
      return outcome
    }

    const existing = await req.payload.find({
      collection: 'idempotency-keys',
      where: { key: { equals: id } },
      limit: 1,
      depth: 0,
    })
    const record = existing.docs[0]
    if (record && record.requestHash !== hash) {
      throw new StoreError(
        'IDEMPOTENCY_CONFLICT',
        'This Idempotency-Key was already used with a different request.',
      )
    }
    if (record?.state === 'done' && typeof record.status === 'number') {
      return { status: record.status, body: record.response }
    }
    await sleep(POLL_MS)
  }
  throw new StoreError(
    'IDEMPOTENCY_CONFLICT',
    'A request with this Idempotency-Key is still being processed; retry shortly.',
  )
}
