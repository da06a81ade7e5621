import type { Payload, PayloadRequest, Where } from 'payload'

import { afterCommit } from '../db/afterCommit'
import { logger } from '../logger'

/** The users a write touched: their ids, or '*' when the write named them by another condition. */
export type ChangedUsers = (number | string)[] | '*'
type Listener = (changed: ChangedUsers) => void

const WATCHED = Symbol.for('store.realtime.userWrites')
type Watched = Payload['db'] & { [WATCHED]?: Set<Listener> }

/** Every adapter method that writes to an existing row. */
const WRITES = ['updateOne', 'updateMany', 'upsert', 'deleteOne', 'deleteMany'] as const
type WriteArgs = {
  collection: string
  id?: number | string
  where?: Where
  req?: Partial<PayloadRequest>
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The ids a `where` pins down (`id equals x` or `id in [..]`), else '*'. */
function idsOf(where: Where | undefined): ChangedUsers {
  const condition = where?.id
  if (!isRecord(condition)) return '*'
  const { equals, in: among } = condition
  if (typeof equals === 'string' || typeof equals === 'number') return [equals]
  if (Array.isArray(among) && among.every((id) => typeof id === 'string' || typeof id === 'number'))
    return among as (number | string)[]
  return '*'
}

/**
 * Calls `listener` after every write to `users` made through the database adapter, once its
 * transaction (if any) has committed.
 *
 * The adapter rather than collection hooks, because several changes that take rights away skip
 * the hooks: Payload's logout removes the session with `payload.db.updateOne`, a failed login
 * locks the account the same way (outside any request transaction), and login adds its session
 * so too. Every write through Payload's operations and the Local API reaches the adapter as
 * well, so one place sees role changes, deletions, password changes, lost sessions and locks.
 * Returns the function that stops listening.
 */
export function watchUserWrites(payload: Payload, listener: Listener): () => void {
  const db = payload.db as Watched
  let listeners = db[WATCHED]
  if (!listeners) {
    const all = new Set<Listener>()
    listeners = all
    db[WATCHED] = all
    const announce = (req: Partial<PayloadRequest> | undefined, changed: ChangedUsers): Promise<void> =>
      afterCommit((req ?? {}) as PayloadRequest, () => {
        for (const notify of all) {
          try {
            notify(changed)
          } catch (error) {
            logger.warn({ err: error }, 'realtime: user change listener failed')
          }
        }
      })
    for (const method of WRITES) {
      const write = db[method].bind(db) as (args: WriteArgs) => Promise<unknown>
      const watched = async (args: WriteArgs): Promise<unknown> => {
        const result = await write(args)
        if (args.collection === 'users')
          await announce(args.req, args.id !== undefined ? [args.id] : idsOf(args.where))
        return result
      }
      Object.assign(db, { [method]: watched })
    }
  }
  listeners.add(listener)
  return () => {
    listeners.delete(listener)
  }
}
