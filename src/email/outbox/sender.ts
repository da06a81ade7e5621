import type { Payload, Where } from 'payload'

import type { OrderEmail } from '../../../payload-types'
import { env } from '../../config/env'
import { writeIfMatches } from '../../db/guardedWrite'
import type { DocId } from '../../db/ids'
import { claimLease } from '../../db/lease'
import { logger } from '../../logger'
import { composeOrderEmail } from './compose'

// Sends the outbox, on every instance, each email once: a sender first claims the row with one
// guarded write (a lease on it, from the attempt count it read), so of instances racing for one
// email exactly one sends it; then records the outcome with another, guarded by its claim. A
// failed send goes back to pending, due again after a back-off that doubles each time. Nothing
// here runs inside a request: a request only writes the row and kicks the sender after commit.

/** How long a claimed email is its sender's: past it (the sender died), another may send it. */
const LEASE_MS = 120_000
const BACKOFF_CAP_MS = 3_600_000
const BATCH = 25

export type Outcome = 'sent' | 'retry' | 'failed' | 'skipped'

const iso = (ms: number): string => new Date(ms).toISOString()

/** When attempt `attempts` (1-based, just failed) is tried again. */
export function backoffMs(attempts: number): number {
  return Math.min(env().EMAIL_RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1), BACKOFF_CAP_MS)
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.slice(0, 500)
}

/** Claims and sends one email if it is still to be sent and nobody else holds it. */
export async function deliverEmail(payload: Payload, id: DocId): Promise<Outcome> {
  const row = (await payload.db.findOne({
    collection: 'order-emails',
    where: { id: { equals: id } },
  })) as OrderEmail | null
  if (!row || row.state === 'sent' || row.state === 'failed') return 'skipped'
  const now = Date.now()
  const attempts = row.attempts + 1
  const claimed = await claimLease(payload, {
    collection: 'order-emails',
    where: {
      and: [
        { id: { equals: id } },
        { state: { in: ['pending', 'sending'] } },
        { attempts: { equals: row.attempts } },
      ],
    },
    field: 'leaseUntil',
    now: iso(now),
    until: iso(now + LEASE_MS),
    data: { state: 'sending', attempts, updatedAt: iso(now) },
  })
  if (!claimed) return 'skipped'
  const mine: Where = {
    and: [{ id: { equals: id } }, { state: { equals: 'sending' } }, { attempts: { equals: attempts } }],
  }
  try {
    const order = await payload.findByID({
      collection: 'orders',
      id: row.order as DocId,
      depth: 0,
      disableErrors: true,
    })
    const message = order ? await composeOrderEmail(payload, order, row.kind) : null
    if (!message) {
      await writeIfMatches(payload, {
        collection: 'order-emails',
        where: mine,
        data: {
          state: 'failed',
          leaseUntil: null,
          lastError: order ? 'The order has no email address.' : 'The order no longer exists.',
        },
      })
      return 'failed'
    }
    await payload.sendEmail(message)
    await writeIfMatches(payload, {
      collection: 'order-emails',
      where: mine,
      data: {
        state: 'sent',
        to: message.to,
        subject: message.subject,
        sentAt: iso(Date.now()),
        leaseUntil: null,
        lastError: null,
        updatedAt: iso(Date.now()),
      },
    })
    return 'sent'
  } catch (error) {
    const last = attempts >= env().EMAIL_MAX_ATTEMPTS
    logger.warn({ err: error, email: id, attempts, final: last }, 'order email not sent')
    await writeIfMatches(payload, {
      collection: 'order-emails',
      where: mine,
      data: {
        state: last ? 'failed' : 'pending',
        nextAttemptAt: iso(Date.now() + backoffMs(attempts)),
        leaseUntil: null,
        lastError: describe(error),
        updatedAt: iso(Date.now()),
      },
    })
    return last ? 'failed' : 'retry'
  }
}

/** Emails that are due: pending past their next attempt, or claimed by a sender that died. */
export async function sendDueEmails(payload: Payload, now = Date.now()): Promise<number> {
  const due = await payload.find({
    collection: 'order-emails',
    where: {
      or: [
        { and: [{ state: { equals: 'pending' } }, { nextAttemptAt: { less_than_equal: iso(now) } }] },
        { and: [{ state: { equals: 'sending' } }, { leaseUntil: { less_than: iso(now) } }] },
      ],
    },
    sort: 'nextAttemptAt',
    limit: BATCH,
    depth: 0,
    pagination: false,
  })
  let sent = 0
  for (const email of due.docs) if ((await deliverEmail(payload, email.id)) === 'sent') sent++
  return sent
}

/** Sends these emails now, in the background: the request that wrote them does not wait. */
export function sendSoon(payload: Payload, ids: DocId[]): void {
  setImmediate(() => {
    void (async () => {
      for (const id of ids) await deliverEmail(payload, id)
    })().catch((error: unknown) => logger.warn({ err: error }, 'order email kick failed'))
  })
}

/** Polls the outbox on this instance until stopped; the claims keep instances from doubling up. */
export function startEmailOutbox(payload: Payload): () => void {
  const interval = Math.min(Math.max(env().EMAIL_RETRY_BASE_MS / 2, 100), 15_000)
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const tick = (): void => {
    sendDueEmails(payload)
      .catch((error: unknown) => logger.warn({ err: error }, 'order email poll failed'))
      .finally(() => {
        if (stopped) return
        timer = setTimeout(tick, interval)
        timer.unref()
      })
  }
  timer = setTimeout(tick, interval)
  timer.unref()
  return () => {
    stopped = true
    clearTimeout(timer)
  }
}
