import type { Endpoint } from 'payload'
import { z } from 'zod'

import { isAdmin } from '../../src/access'
import { writeIfMatches } from '../../src/db/guardedWrite'
import { isDocumentId, normaliseId } from '../../src/db/ids'
import type { DocId } from '../../src/db/ids'
import { sendSoon } from '../../src/email/outbox/sender'
import { StoreError } from '../../src/errors'
import { requireUser } from '../../src/http/input'
import { collectionDocument, documented } from '../../src/openapi/describe'

/**
 * POST /api/order-emails/:id/resend (admins): a sent or failed email is queued again, from a fresh
 * attempt count, and sent at once in the background. One guarded write: of two concurrent resends
 * one queues it, the other answers 409; an email still pending or being sent answers 409 too.
 */
export const resendEmailEndpoint: Endpoint = documented(
  {
    path: '/:id/resend',
    method: 'post',
    handler: async (req) => {
      requireUser(req)
      if (!isAdmin(req)) throw new StoreError('FORBIDDEN', 'Only admins can resend emails.')
      const id = req.routeParams?.id
      if (typeof id !== 'string' || !isDocumentId(req.payload, id))
        throw new StoreError('NOT_FOUND', 'Email not found.')
      const at = new Date().toISOString()
      const queued = await writeIfMatches(req.payload, {
        collection: 'order-emails',
        where: { and: [{ id: { equals: id } }, { state: { in: ['sent', 'failed'] } }] },
        data: {
          state: 'pending',
          attempts: 0,
          nextAttemptAt: at,
          leaseUntil: null,
          lastError: null,
          updatedAt: at,
        },
      })
      if (!queued) {
        const email = await req.payload.db.findOne({
          collection: 'order-emails',
          where: { id: { equals: id } },
        })
        if (!email) throw new StoreError('NOT_FOUND', 'Email not found.')
        throw new StoreError('CONFLICT', 'This email is already queued to be sent.')
      }
      sendSoon(req.payload, [normaliseId(req.payload, id) as DocId])
      const email = await req.payload.findByID({ collection: 'order-emails', id, depth: 0 })
      return Response.json({ email }, { status: 202 })
    },
  },
  {
    summary: 'Send an order email again',
    description:
      'A sent or failed email is queued again from a fresh attempt count and sent at once in the background. Of two concurrent resends one queues it, the other answers 409.',
    tag: 'Orders',
    audience: 'admin',
    params: { id: 'the order email id' },
    responses: {
      202: {
        description: 'queued; `email.state` is `pending`',
        body: z.object({ email: collectionDocument('order-emails') }),
      },
      404: { description: 'no such email' },
      409: { description: 'the email is already queued or being sent' },
    },
  },
)
