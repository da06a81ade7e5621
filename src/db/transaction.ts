import { commitTransaction, initTransaction, killTransaction } from 'payload'
import type { PayloadRequest } from 'payload'

/**
 * Payload's initTransaction, plus whether a transaction really exists: without one (SQLite here)
 * Payload leaves a promise of `null` on req, which is removed so later calls see no transaction.
 * Awaited rather than tested with instanceof, which fails for promises from another realm.
 */
export async function beginTransaction(
  req: PayloadRequest,
): Promise<{ shouldCommit: boolean; inTransaction: boolean }> {
  const shouldCommit = await initTransaction(req)
  const transaction: unknown = await req.transactionID
  if (!transaction) delete req.transactionID
  return { shouldCommit, inTransaction: Boolean(transaction) }
}

/**
 * Runs `work` in a transaction: its own, committed when `work` succeeds and rolled back when it
 * throws, or the caller's, which the caller commits or rolls back. Without transactions (SQLite)
 * `work` runs as it is.
 */
export async function withTransaction<T>(req: PayloadRequest, work: () => Promise<T>): Promise<T> {
  const { shouldCommit, inTransaction } = await beginTransaction(req)
  try {
    const result = await work()
    if (shouldCommit) await commitTransaction(req)
    return result
  } catch (error) {
    if (shouldCommit && inTransaction) await killTransaction(req)
    throw error
  }
}
