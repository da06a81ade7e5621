import type { CollectionBeforeOperationHook, Where } from 'payload'
import { validOperatorSet } from 'payload/shared'

import { namesAuthInternal } from '../src/access/authInternals'
import { isDocumentId } from '../src/db/ids'
import { ClientRefusal } from '../src/errors'

// A `where` the database cannot run is a 400 before the query is built, not the adapter's 500:
// - operators: Payload accepts every one it knows (`all`, `near`, `within`, `intersects`…) whatever
//   the adapter; the SQL adapters implement only some and throw on the others. (No collection has a
//   point field, so the geo operators are never meaningful here.)
// - operands: numbers, selects, dates and document ids compared with values they can never hold.

type FieldLike = {
  name: string
  type: string
  flattenedFields?: FieldLike[]
  options?: (string | { value: string })[]
  relationTo?: string | string[]
}

function fieldAt(fields: FieldLike[], path: string): FieldLike | undefined {
  let current: FieldLike | undefined
  let level: FieldLike[] | undefined = fields
  for (const segment of path.split('.')) {
    current = level?.find((field) => field.name === segment)
    if (!current) return undefined
    level = current.flattenedFields
  }
  return current
}

const isNumeric = (value: unknown): boolean =>
  (typeof value === 'number' && Number.isFinite(value)) ||
  (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))

// The SQL adapters hand a number column's operand to the database as given: text that is not a
// number (or a text operator such as like) fails there, a 500. Those are client errors.
function numberProblem(operator: string, operand: unknown): string | undefined {
  if (operator === 'exists') return undefined
  if (['like', 'contains', 'not_like'].includes(operator)) return `"${operator}" does not apply to a number.`
  const values = operandValues(operator, operand)
  return values.every((value) => value === null || isNumeric(value))
    ? undefined
    : `"${operator}" on a number needs numbers.`
}

// A select is an enum column on PostgreSQL: a value outside its options fails there.
function selectProblem(field: FieldLike, operator: string, operand: unknown): string | undefined {
  if (!['equals', 'not_equals', 'in', 'not_in'].includes(operator)) return undefined
  const allowed = new Set(
    (field.options ?? []).map((option) => (typeof option === 'string' ? option : option.value)),
  )
  const values = operandValues(operator, operand)
  return values.every((value) => value === null || (typeof value === 'string' && allowed.has(value)))
    ? undefined
    : `"${operator}" needs one of ${[...allowed].join(', ')}.`
}

function operandValues(operator: string, operand: unknown): unknown[] {
  return typeof operand === 'string' && (operator === 'in' || operator === 'not_in')
    ? operand.split(',')
    : Array.isArray(operand)
      ? operand
      : operand && typeof operand === 'object'
        ? Object.values(operand)
        : [operand]
}

const COMPARISONS = [
  'equals',
  'not_equals',
  'in',
  'not_in',
  'greater_than',
  'greater_than_equal',
  'less_than',
  'less_than_equal',
]

// Ids and dates are typed columns too (integers on the SQL adapters, timestamps).
function valuesProblem(
  operator: string,
  operand: unknown,
  valid: (value: unknown) => boolean,
  what: string,
): string | undefined {
  if (!COMPARISONS.includes(operator)) return undefined
  return operandValues(operator, operand).every((value) => value === null || valid(value))
    ? undefined
    : `"${operator}" needs ${what}.`
}

const isDate = (value: unknown): boolean =>
  (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Date.parse(value))) ||
  (typeof value === 'number' && Number.isFinite(value))

function badValueIn(
  where: unknown,
  fields: FieldLike[],
  isId: (value: unknown) => boolean,
): string | undefined {
  if (!where || typeof where !== 'object') return undefined
  for (const [key, value] of Object.entries(where)) {
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value)) continue
      for (const inner of value) {
        const found = badValueIn(inner, fields, isId)
        if (found) return found
      }
      continue
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue
    const field = key === 'id' ? { name: 'id', type: 'id' } : fieldAt(fields, key)
    if (!field) continue
    const single = typeof field.relationTo === 'string'
    for (const [operator, operand] of Object.entries(value)) {
      const problem =
        field.type === 'number'
          ? numberProblem(operator, operand)
          : field.type === 'select'
            ? selectProblem(field, operator, operand)
            : field.type === 'date'
              ? valuesProblem(operator, operand, isDate, 'dates')
              : field.type === 'id' || ((field.type === 'relationship' || field.type === 'upload') && single)
                ? valuesProblem(operator, operand, isId, 'document ids')
                : undefined
      if (problem) return `${key}: ${problem}`
    }
  }
  return undefined
}

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

// Auth internals (`sessions`, `hash`, `lockUntil`…) are unreadable, but a filter or sort on them,
// even through a relationship (`owner.sessions.id`), would still answer questions about them
// (is the admin logged in now?). Server code (access overridden) may still query them.
function authInternalPathIn(where: unknown, sort: unknown): string | undefined {
  const sorts = (Array.isArray(sort) ? sort : typeof sort === 'string' ? sort.split(',') : []).filter(
    (entry): entry is string => typeof entry === 'string',
  )
  return sorts.find(namesAuthInternal) ?? whereKeys(where).find(namesAuthInternal)
}

function whereKeys(where: unknown): string[] {
  if (!where || typeof where !== 'object') return []
  return Object.entries(where).flatMap(([key, value]) =>
    (key === 'and' || key === 'or') && Array.isArray(value) ? value.flatMap(whereKeys) : [key],
  )
}

export const rejectInvalidWhere: CollectionBeforeOperationHook = ({ args, collection, req }) => {
  if (!('overrideAccess' in args && args.overrideAccess === true)) {
    const internal = authInternalPathIn(
      'where' in args ? args.where : undefined,
      'sort' in args ? args.sort : undefined,
    )
    if (internal) throw new ClientRefusal(`"${internal}" cannot be queried.`, 400, null)
  }
  const where: Where | undefined = 'where' in args ? (args.where as Where | undefined) : undefined
  const supported = (req.payload.db as { operators?: Record<string, unknown> }).operators
  if (!where || !supported) return args
  const operator = unsupportedIn(where, supported)
  if (operator) throw new ClientRefusal(`The operator "${operator}" is not supported.`, 400, null)
  const problem = badValueIn(where, collection.flattenedFields as unknown as FieldLike[], (value) =>
    isDocumentId(req.payload, value),
  )
  if (problem) throw new ClientRefusal(problem, 400, null)
  return args
}
