import type { AfterErrorHook } from 'payload'

import { DATABASE_UNAVAILABLE, isDatabaseUnavailable, markDatabaseDown } from '../src/db/availability'

/**
 * A lost database connection reaches Payload as an ordinary error, which it answers 500 ("a
 * bug"). It is a dependency that is down: 503, so clients and load balancers retry later.
 */
export const databaseUnavailableIs503: AfterErrorHook = ({ error }) => {
  if (!isDatabaseUnavailable(error)) return
  markDatabaseDown(error)
  return {
    status: 503,
    response: { errors: [{ message: DATABASE_UNAVAILABLE }] },
    graphqlResult: { message: DATABASE_UNAVAILABLE, extensions: { statusCode: 503 } },
  }
}
