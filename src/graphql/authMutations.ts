import { Kind, parse } from 'graphql'
import type { DocumentNode, FragmentDefinitionNode, SelectionSetNode } from 'graphql'

/** Payload's GraphQL names for the `users` auth operations that the auth rate limit covers. */
export const AUTH_MUTATIONS = new Set([
  'loginUser',
  'createUser',
  'forgotPasswordUser',
  'resetPasswordUser',
  'verifyEmailUser',
])

/**
 * How many auth mutations a GraphQL request body holds, across every operation in the document
 * and through fragments, counted by field name (aliases do not hide them). A body GraphQL
 * itself could not read counts 0: it will not run either.
 */
export function authMutationsIn(body: Buffer): number {
  let document: DocumentNode
  try {
    // TextDecoder drops a BOM as the GraphQL handler's request.text() does.
    const data: unknown = JSON.parse(new TextDecoder().decode(body))
    if (!data || typeof data !== 'object' || !('query' in data) || typeof data.query !== 'string') return 0
    document = parse(data.query)
  } catch {
    return 0
  }
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition)

  const count = (selectionSet: SelectionSetNode, seen: Set<string>): number =>
    selectionSet.selections.reduce((total, selection) => {
      if (selection.kind === Kind.FIELD) return total + (AUTH_MUTATIONS.has(selection.name.value) ? 1 : 0)
      if (selection.kind === Kind.INLINE_FRAGMENT) return total + count(selection.selectionSet, seen)
      const name = selection.name.value
      const fragment = fragments.get(name)
      if (!fragment || seen.has(name)) return total
      return total + count(fragment.selectionSet, new Set([...seen, name]))
    }, 0)

  return document.definitions.reduce(
    (total, definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'mutation'
        ? total + count(definition.selectionSet, new Set())
        : total,
    0,
  )
}
