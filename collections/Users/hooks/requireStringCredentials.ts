import { ValidationError } from 'payload'
import type { CollectionBeforeOperationHook } from 'payload'

const CREDENTIALS = ['email', 'password', 'token', 'username'] as const

// Payload hashes whatever `password` holds; a number would reach node:crypto and answer 500.
export const requireStringCredentials: CollectionBeforeOperationHook = ({ args, collection }) => {
  const data: unknown = 'data' in args ? args.data : undefined
  if (!data || typeof data !== 'object') return args
  const wrong = CREDENTIALS.filter((key) => {
    const value: unknown = (data as Record<string, unknown>)[key]
    return value !== undefined && value !== null && typeof value !== 'string'
  })
  if (wrong.length > 0) {
    throw new ValidationError({
      collection: collection.slug,
      errors: wrong.map((path) => ({ message: 'Must be a string.', path })),
    })
  }
  return args
}
