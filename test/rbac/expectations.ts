import type { CollectionPolicy, Rule } from './matrix'
import type { Id } from './context'

// ---------------------------------------------------------------------------------------------
// Expectations as short summaries, so that a failure shows every wrong cell of a row at once.

export const variantsOf = (policy: CollectionPolicy): string[] => Object.keys(policy.variants)

export function allowedVariants(policy: CollectionPolicy, rule: Rule): string[] {
  if (rule.kind === 'all') return variantsOf(policy)
  if (rule.kind === 'only') return [...rule.variants]
  return []
}

export const byIdOver = (policy: CollectionPolicy, transport: Transport): boolean =>
  !(transport === 'rest' && policy.restByIdIsKey)

export function expectedRead(policy: CollectionPolicy, rule: Rule, transport: Transport): string {
  const visible = allowedVariants(policy, rule)
  const list = rule.kind === 'denied' ? `list ${rule.status}` : `list 200 [${visible.sort().join(',')}]`
  if (!byIdOver(policy, transport)) return list
  const byId = variantsOf(policy).map((variant) => {
    if (rule.kind === 'denied') return `${variant}:${rule.status}`
    return `${variant}:${visible.includes(variant) ? 200 : 404}`
  })
  return [list, ...byId].join(' ')
}

export function expectedWrite(policy: CollectionPolicy, rule: Rule, operation: 'update' | 'delete'): string {
  const allowed = allowedVariants(policy, rule)
  return variantsOf(policy)
    .map((variant) => {
      if (allowed.includes(variant)) return `${variant}:ok:${operation === 'update' ? 'changed' : 'gone'}`
      const status = rule.kind === 'denied' ? rule.status : 403
      return `${variant}:${status}:unchanged`
    })
    .join(' ')
}

export const expectedCreate = (rule: Rule): string =>
  rule.kind === 'denied' ? `${rule.status}:unchanged` : 'ok:created'

export type Transport = 'rest' | 'graphql'
export const TRANSPORTS: Transport[] = ['rest', 'graphql']

export const literal = (id: Id): string => JSON.stringify(id)
export const trashArg = (policy: CollectionPolicy): string => (policy.trash ? ', trash: true' : '')
export const trashQuery = (policy: CollectionPolicy): string => (policy.trash ? '&trash=true' : '')
