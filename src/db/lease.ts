import type { Payload } from 'payload'

import { writeIfMatches } from './guardedWrite'

/**
 * A lease for periodic work that only one instance may do at a time (the Stripe sweep, the guest
 * cart sweep): a `counters` row whose value is the lease's expiry (ms), moved forward by ONE
 * conditional update `WHERE name = :name AND value < :now`, which exactly one instance can win.
 * The first run creates the row (unique name: a concurrent creation fails and loses).
 */
export async function takeLease(
  payload: Payload,
  name: string,
  now: number,
  seconds: number,
): Promise<boolean> {
  const until = now + seconds * 1000
  const won = await writeIfMatches(payload, {
    collection: 'counters',
    where: { and: [{ name: { equals: name } }, { value: { less_than: now } }] },
    data: { value: until },
  })
  if (won) return true
  const exists = await payload.count({ collection: 'counters', where: { name: { equals: name } } })
  if (exists.totalDocs > 0) return false
  try {
    await payload.create({ collection: 'counters', data: { name, value: until } })
    return true
  } catch {
    return false
  }
}
