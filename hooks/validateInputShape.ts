import { ValidationError } from 'payload'
import type {
  CollectionBeforeOperationHook,
  FlattenedField,
  Payload,
  SanitizedCollectionConfig,
} from 'payload'

import { isAdmin } from '../src/access'
import { isDocumentId } from '../src/db/ids'

// Payload silently drops keys it does not know and stores an object sent for a text field as
// its JSON text. A client making either mistake would believe it saved what it meant; requests
// made for a user (REST, GraphQL) get a 400 naming each such field instead.

const SYSTEM_KEYS = ['id', 'createdAt', 'updatedAt', 'password', 'confirm-password']

// The server sets a document's id and timestamps. A non-admin choosing them would backdate an
// account or a file (or forge "member since"): refused, in every collection. Admins may (imports).
const SERVER_SET = new Set(['id', 'createdAt', 'updatedAt'])

type Check = (value: unknown, payload: Payload) => boolean

// An id the database cannot hold (-1.8e308, 2^70, "abc" on an integer key) would fail the
// relationship lookup inside the adapter with a 500 instead of being a 400.
const isRelation: Check = (value, payload) =>
  isDocumentId(payload, value) ||
  (typeof value === 'object' &&
    value !== null &&
    'relationTo' in value &&
    'value' in value &&
    isDocumentId(payload, value.value))

function checkFor(field: FlattenedField): Check | undefined {
  const many = 'hasMany' in field && field.hasMany === true
  const single = ((): Check | undefined => {
    switch (field.type) {
      case 'text':
      case 'textarea':
      case 'email':
      case 'code':
      case 'date':
      case 'radio':
      case 'select':
        return (value) => typeof value === 'string'
      case 'number':
        return (value) => typeof value === 'number' && Number.isFinite(value)
      case 'checkbox':
        return (value) => typeof value === 'boolean'
      case 'relationship':
      case 'upload':
        return isRelation
      default:
        return undefined
    }
  })()
  if (!single) return undefined
  return (value, payload) =>
    value === null ||
    (many ? Array.isArray(value) && value.every((entry) => single(entry, payload)) : single(value, payload))
}

type Shape = { known: Set<string>; checks: Map<string, Check> }
const shapes = new WeakMap<SanitizedCollectionConfig, Shape>()

function shapeOf(collection: SanitizedCollectionConfig): Shape {
  let shape = shapes.get(collection)
  if (!shape) {
    const known = new Set([...SYSTEM_KEYS, ...collection.flattenedFields.map((field) => field.name)])
    if (collection.trash) known.add('deletedAt')
    const checks = new Map<string, Check>()
    for (const field of collection.flattenedFields) {
      const check = checkFor(field)
      if (check) checks.set(field.name, check)
    }
    shape = { known, checks }
    shapes.set(collection, shape)
  }
  return shape
}

export const validateInputShape: CollectionBeforeOperationHook = ({ args, collection, operation, req }) => {
  if (operation !== 'create' && operation !== 'update') return args
  if (args.overrideAccess === true) return args
  const data: unknown = args.data
  // An upload may come without fields (Payload builds the document from the file).
  if (data === undefined && req.file) return args
  // A body of `"0"`, `null` or `[…]`, or one Payload did not parse (a text/plain body), would reach
  // Payload's field hooks, which assume an object, and answer 500.
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ValidationError({
      collection: collection.slug,
      errors: [{ message: 'The body must be a JSON object.', path: 'body' }],
    })
  }
  const { known, checks } = shapeOf(collection)
  const errors: { message: string; path: string }[] = []
  const admin = isAdmin(req)
  for (const [key, value] of Object.entries(data)) {
    if (!known.has(key)) errors.push({ message: 'This field does not exist.', path: key })
    else if (SERVER_SET.has(key) && !admin && value !== undefined)
      errors.push({ message: 'This value is set by the server.', path: key })
    else if (value !== undefined && checks.get(key)?.(value, req.payload) === false)
      errors.push({ message: 'This value has the wrong type.', path: key })
  }
  if (errors.length > 0) throw new ValidationError({ collection: collection.slug, errors })
  return args
}
