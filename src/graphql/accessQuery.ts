import { GraphQLBoolean, GraphQLObjectType, getNullableType } from 'graphql'
import type { GraphQLFieldConfig, GraphQLFieldResolver, GraphQLOutputType } from 'graphql'
import type { GraphQLExtension } from 'payload'

// Payload's `Access` query answers its sanitised permissions: every `false` removed and every
// all-true branch collapsed to `true`. Its GraphQL type has non-null booleans at those places
// (`canAccessAdmin`, `… { read { permission } }`), so for anyone but an admin GraphQL could not
// return the answer and reported a 500. The answer is expanded back to the type's shape here.

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** `value` shaped as `type`: what was removed is `false`, what was collapsed to `true` is all true. */
function conform(type: GraphQLOutputType, value: unknown): unknown {
  const named = getNullableType(type)
  if (named instanceof GraphQLObjectType) {
    const shaped: Record<string, unknown> = {}
    for (const [name, field] of Object.entries(named.getFields()))
      shaped[name] = conform(field.type, value === true ? true : isRecord(value) ? value[name] : undefined)
    return shaped
  }
  if (named === GraphQLBoolean) return value === true
  // `where` (JSON): the constraint when there is one.
  return isRecord(value) ? value : null
}

type AccessField = GraphQLFieldConfig<unknown, unknown> & { resolve: GraphQLFieldResolver<unknown, unknown> }

/** For `graphQL.queries`: Payload's own `Access` query with an answer its type can hold. */
export const accessQuery: GraphQLExtension = (_graphQL, { Query }) => {
  const original = (Query.fields as Record<string, AccessField | undefined>).Access
  if (!original) return {}
  return {
    Access: {
      ...original,
      resolve: async (...args: Parameters<AccessField['resolve']>) =>
        conform(original.type, await original.resolve(...args)),
    },
  }
}
