import { Kind, parse } from 'graphql'
import type {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql'

import { MAX_PAGE_SIZE } from '../../hooks/capPageSize'

// What one GraphQL request may ask of the server, judged from its document before it runs.
// Payload's own complexity count sees `countProducts { totalDocs }` as 2, however often it is
// aliased, so 300 aliased counts (300 database queries) passed it. Here every root field is a
// database round trip, a list multiplies what each of its documents costs by how many it may
// return, and every nested object (a relationship, an upload, a group) is a join or a lookup.

/** Root fields one request may run, aliases included. A storefront page needs a handful. */
export const GRAPHQL_MAX_ROOT_FIELDS = 20

/**
 * Budget of one request in the cost model below. A full product listing of 100 documents with
 * brand, categories two levels up and every image size costs about 1,300.
 */
export const GRAPHQL_MAX_COST = 1500

const ROOT_FIELD_COST = 25
const OBJECT_COST = 5
const FIELD_COST = 1
/** Payload's page when a list names no limit. */
const DEFAULT_PAGE = 10

export type DocumentProblem = { message: string; code: 'GRAPHQL_UNSUPPORTED' | 'GRAPHQL_TOO_COSTLY' }

type Variables = Record<string, unknown>
type Fragments = Map<string, FragmentDefinitionNode>

/** The fragment that leads back to itself (directly or through others), if any. */
function fragmentCycle(fragments: Fragments): string | undefined {
  const state = new Map<string, 'visiting' | 'done'>()
  const spreadsIn = (set: SelectionSetNode): string[] =>
    set.selections.flatMap((selection) =>
      selection.kind === Kind.FRAGMENT_SPREAD
        ? [selection.name.value]
        : selection.selectionSet
          ? spreadsIn(selection.selectionSet)
          : [],
    )
  const visit = (name: string): string | undefined => {
    const fragment = fragments.get(name)
    if (!fragment || state.get(name) === 'done') return undefined
    if (state.get(name) === 'visiting') return name
    state.set(name, 'visiting')
    for (const next of spreadsIn(fragment.selectionSet)) {
      const found = visit(next)
      if (found) return found
    }
    state.set(name, 'done')
    return undefined
  }
  for (const name of fragments.keys()) {
    const found = visit(name)
    if (found) return found
  }
  return undefined
}

/** The page a list field asks for: its `limit` (a literal or a variable), capped as the REST API caps it. */
function pageSize(field: FieldNode, variables: Variables): number {
  const argument = field.arguments?.find((arg) => arg.name.value === 'limit')
  if (!argument) return DEFAULT_PAGE
  const value: ValueNode = argument.value
  const given =
    value.kind === Kind.INT
      ? Number(value.value)
      : value.kind === Kind.VARIABLE
        ? variables[value.name.value]
        : undefined
  // Payload reads 0 (and anything out of range) as "everything", which the cap makes one full page.
  return typeof given === 'number' && Number.isInteger(given) && given >= 1 && given <= MAX_PAGE_SIZE
    ? given
    : MAX_PAGE_SIZE
}

// Fragments are costed once each (memo): a fragment spread twice in a fragment spread twice…
// would otherwise cost exponential time to count.
function costOf(
  set: SelectionSetNode,
  fragments: Fragments,
  variables: Variables,
  memo: Map<string, number>,
): number {
  let total = 0
  for (const selection of set.selections) {
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const name = selection.name.value
      const fragment = fragments.get(name)
      if (!fragment) continue
      if (!memo.has(name)) memo.set(name, costOf(fragment.selectionSet, fragments, variables, memo))
      total += memo.get(name) ?? 0
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      total += costOf(selection.selectionSet, fragments, variables, memo)
    } else if (!selection.selectionSet) {
      total += FIELD_COST
    } else {
      // Payload's list fields take `limit`; their `docs` are as many as the page holds.
      const hasLimit = selection.arguments?.some((arg) => arg.name.value === 'limit') ?? false
      const perPage = hasLimit ? Math.ceil(pageSize(selection, variables) / DEFAULT_PAGE) : 1
      total += OBJECT_COST + perPage * costOf(selection.selectionSet, fragments, variables, memo)
    }
  }
  return total
}

/** The response keys of the operation's root fields, as executed: fragments spread, aliases each counted. */
function rootKeys(set: SelectionSetNode, fragments: Fragments, memo: Map<string, Set<string>>): Set<string> {
  const keys = new Set<string>()
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) keys.add(selection.alias?.value ?? selection.name.value)
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      for (const key of rootKeys(selection.selectionSet, fragments, memo)) keys.add(key)
    else {
      const name = selection.name.value
      const fragment = fragments.get(name)
      if (!fragment) continue
      if (!memo.has(name)) memo.set(name, rootKeys(fragment.selectionSet, fragments, memo))
      for (const key of memo.get(name) ?? []) keys.add(key)
    }
  }
  return keys
}

function operationCost(operation: OperationDefinitionNode, fragments: Fragments, variables: Variables) {
  // Field merging runs a root field once however often it is repeated under one response key.
  const roots = rootKeys(operation.selectionSet, fragments, new Map()).size
  const cost = roots * ROOT_FIELD_COST + costOf(operation.selectionSet, fragments, variables, new Map())
  return { roots, cost }
}

/**
 * Why this GraphQL request body must not run, or undefined (also for a body GraphQL cannot
 * read: the GraphQL handler answers that itself). Checked before Payload sees the document,
 * since its validation rules crash (a 500) on cyclic fragments and on subscriptions.
 */
export function documentProblem(body: Buffer): DocumentProblem | undefined {
  let document: DocumentNode
  let variables: Variables = {}
  try {
    const data: unknown = JSON.parse(new TextDecoder().decode(body))
    if (!data || typeof data !== 'object' || !('query' in data) || typeof data.query !== 'string')
      return undefined
    if ('variables' in data && data.variables && typeof data.variables === 'object')
      variables = data.variables as Variables
    document = parse(data.query)
  } catch {
    return undefined
  }
  try {
    const fragments: Fragments = new Map()
    const operations: OperationDefinitionNode[] = []
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition)
      if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition)
    }
    if (operations.some((operation) => operation.operation === 'subscription'))
      return {
        code: 'GRAPHQL_UNSUPPORTED',
        message: 'Subscriptions are not supported; real-time events are served over Socket.IO.',
      }
    const cycle = fragmentCycle(fragments)
    if (cycle) return { code: 'GRAPHQL_UNSUPPORTED', message: `Fragment "${cycle}" spreads itself.` }
    for (const operation of operations) {
      const { roots, cost } = operationCost(operation, fragments, variables)
      if (roots > GRAPHQL_MAX_ROOT_FIELDS)
        return {
          code: 'GRAPHQL_TOO_COSTLY',
          message: `A request may run at most ${GRAPHQL_MAX_ROOT_FIELDS} root fields (aliases included); this one has ${roots}.`,
        }
      if (cost > GRAPHQL_MAX_COST)
        return {
          code: 'GRAPHQL_TOO_COSTLY',
          message: `The query costs ${cost}, more than the maximum cost of ${GRAPHQL_MAX_COST}: ask for fewer fields, relations or documents.`,
        }
    }
  } catch (error) {
    // A document nested or chained past the call stack (a fragment chain of thousands).
    if (error instanceof RangeError)
      return { code: 'GRAPHQL_TOO_COSTLY', message: 'The query nests too deeply.' }
    throw error
  }
  return undefined
}
