import type {
  CollectionAfterChangeHook,
  CollectionAfterOperationHook,
  CollectionBeforeChangeHook,
  CollectionBeforeOperationHook,
} from 'payload'

import type { Order } from '../../../payload-types'
import {
  closeOrderChange,
  noteOrderAfter,
  noteOrderBefore,
  openOrderChange,
} from '../../../src/realtime/events'

// Real-time order events describe a whole change (src/realtime/events.ts): a write operation on
// orders is one, together with the writes its hooks make (a refund recorded by the cancellation),
// unless it runs inside a change already open (a webhook event). Events go out after the commit.

const WRITES = new Set(['create', 'update', 'updateByID'])

export const openOrderChangeForWrite: CollectionBeforeOperationHook = ({ operation, req }) => {
  if (WRITES.has(operation)) openOrderChange(req)
}

export const closeOrderChangeAfterWrite: CollectionAfterOperationHook = async ({
  operation,
  req,
  result,
}) => {
  if (WRITES.has(operation)) await closeOrderChange(req)
  return result
}

export const noteOrderBeforeWrite: CollectionBeforeChangeHook<Order> = ({ data, originalDoc, req }) => {
  if (originalDoc) noteOrderBefore(req, originalDoc)
  return data
}

export const publishOrderEvents: CollectionAfterChangeHook<Order> = async ({
  doc,
  previousDoc,
  operation,
  req,
}) => {
  await noteOrderAfter(req, doc, { before: previousDoc, created: operation === 'create' })
  return doc
}
