import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth'
import { GraphQLError } from 'graphql'
import type { ValidationRule } from 'graphql'

/**
 * Deepest selection accepted. The deepest real storefront read — a product's category, its
 * parent's parent, that one's image, a size, its url — is 9 levels.
 */
export const GRAPHQL_MAX_DEPTH = 10

/**
 * Payload's complexity budget (1 per field, 10 per relationship or upload). A full product
 * listing with brand, categories and images costs well under 200; the budget still refuses a
 * query that repeats such lists under dozens of aliases.
 */
export const GRAPHQL_MAX_COMPLEXITY = 600

const DEPTH_MESSAGE = /^Query depth limit of \d+ exceeded/
const COMPLEXITY_MESSAGE = /^The query exceeds the maximum complexity of \d+/

/** Extra validation rules for Payload's `graphQL.validationRules`. */
export function graphqlValidationRules(): ValidationRule[] {
  return [
    maxDepthRule({
      n: GRAPHQL_MAX_DEPTH,
      // The rule's default throws out of graphql's validate(), which surfaces as a 500; report
      // the refusal as an ordinary validation error instead.
      propagateOnRejection: false,
      onReject: [
        (context, error) =>
          context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''))),
      ],
    }),
  ]
}

/**
 * True for a GraphQL answer that is only a depth or complexity refusal. graphql-over-HTTP
 * answers validation errors 200 to plain `application/json` clients; these are sent as 400 to
 * every client so that an over-limit query can never pass for a success.
 */
export function isLimitRefusal(body: unknown): boolean {
  if (!body || typeof body !== 'object' || 'data' in body || !('errors' in body)) return false
  const { errors } = body
  return (
    Array.isArray(errors) &&
    errors.some((error: unknown) => {
      const message = error && typeof error === 'object' && 'message' in error ? error.message : undefined
      return typeof message === 'string' && (DEPTH_MESSAGE.test(message) || COMPLEXITY_MESSAGE.test(message))
    })
  )
}
