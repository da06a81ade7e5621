import type { Payload, PayloadRequest } from 'payload'

import { logger } from '../logger'

// Work decided inside a transaction that must only happen once it is committed (real-time events,
// cache invalidation): queued per transaction, run by the wrapped commit, dropped by a rollback.
type Work = () => void | Promise<void>
// On globalThis: the admin UI's bundle has its own copy of this module, but shares the process's
// Payload (and so the one wrapped commit), which must find work queued from either copy.
const PENDING = Symbol.for('store.db.afterCommitQueue')
type Holder = { [PENDING]?: Map<number | string, Work[]> }
const pending = ((globalThis as Holder)[PENDING] ??= new Map())

type TransactionId = Parameters<Payload['db']['commitTransaction']>[0]
const WRAPPED = Symbol.for('store.db.wrappedTransactions')

/** The open transaction, if any. (A promise of null without one, maybe from another realm: no instanceof.) */
async function transactionOf(id: unknown): Promise<number | string | undefined> {
  const value: unknown = await id
  return typeof value === 'string' || typeof value === 'number' ? value : undefined
}

async function run(work: Work): Promise<void> {
  try {
    await work()
  } catch (error) {
    logger.error({ err: error }, 'after-commit work failed')
  }
}

/** Runs `work` once `req`'s transaction has committed, or now when there is none. */
export async function afterCommit(req: PayloadRequest, work: Work): Promise<void> {
  const key = await transactionOf(req.transactionID)
  if (key === undefined) return run(work)
  const queue = pending.get(key)
  if (queue) queue.push(work)
  else pending.set(key, [work])
}

/**
 * Wraps the adapter's commit and rollback once: a commit resolves only after its queued work has
 * run (so an answer sent after it reflects that work, e.g. the cache already invalidated).
 */
export function wrapTransactions(payload: Payload): void {
  const db = payload.db as Payload['db'] & { [WRAPPED]?: true }
  if (db[WRAPPED]) return
  db[WRAPPED] = true
  const commit = db.commitTransaction.bind(db)
  const rollback = db.rollbackTransaction.bind(db)
  db.commitTransaction = async (id: TransactionId) => {
    const key = await transactionOf(id)
    let committed = false
    try {
      await commit(id)
      committed = true
    } finally {
      const queue = key === undefined ? undefined : pending.get(key)
      if (key !== undefined) pending.delete(key)
      if (committed) for (const work of queue ?? []) await run(work)
    }
  }
  db.rollbackTransaction = async (id: TransactionId) => {
    try {
      await rollback(id)
    } finally {
      const key = await transactionOf(id)
      if (key !== undefined) pending.delete(key)
    }
  }
}
