import { initTransaction } from 'payload'
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
