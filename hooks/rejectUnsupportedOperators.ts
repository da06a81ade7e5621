import { APIError } from 'payload'
import type { CollectionBeforeOperationHook, Where } from 'payload'
import { validOperatorSet } from 'payload/shared'

// Payload accepts every operator it knows (`all`, `near`, `within`, `intersects`…) whatever the
// adapter; the SQL adapters implement only some of them and throw on the others, a 500. An
// operator the adapter cannot run is a 400 before the query is built. (No collection has a point
// field, so the geo operators are never meaningful here.)

function unsupportedIn(where: unknown, supported: Record<string, unknown>): string | undefined {
  if (!where || typeof where !== 'object') return undefined
  for (const [key, value] of Object.entries(where)) {
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value)) continue
      for (const inner of value) {
        const found = unsupportedIn(inner, supported)
        if (found) return found
      }
      continue
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue
    for (const operator of Object.keys(value)) {
      if (validOperatorSet.has(operator as never) && !(operator in supported)) return operator
    }
  }
  return undefined
}

export const rejectUnsupportedOperators: CollectionBeforeOperationHook = ({ args, req }) => {
  const where: Where | undefined = 'where' in args ? (args.where as Where | undefined) : undefined
  const supported = (req.payload.db as { operators?: Record<string, unknown> }).operators
  if (!where || !supported) return args
  const operator = unsupportedIn(where, supported)
  if (operator) throw new APIError(`The operator "${operator}" is not supported.`, 400, null, true)
  return args
}
