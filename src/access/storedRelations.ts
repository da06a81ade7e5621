import type { Field, SanitizedConfig, Validate } from 'payload'

// A relationship's `filterOptions` says which documents a caller may *choose* (a customer's avatar:
// an image they uploaded). Payload re-checks it on every save of the document, for every field,
// with whoever is saving: the forgot-password, verify, unlock and login bookkeeping saves run
// without a user, so the stored avatar failed its filter and the save (and the email) failed with
// a validation error; an admin-chosen image failed the same way when the customer changed their
// name. A value that is not being changed was already judged when it was chosen: it is only
// checked for what it is (type, required), not re-filtered.

type Relation = string | number | { id?: unknown; value?: unknown; relationTo?: unknown }

function idsOf(value: unknown): string[] {
  const list: unknown[] = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value]
  return list.map((entry) => {
    if (entry && typeof entry === 'object') {
      const relation = entry as Exclude<Relation, string | number>
      const id: unknown =
        relation.value && typeof relation.value === 'object'
          ? (relation.value as { id?: unknown }).id
          : relation.value
      const inner = id ?? relation.id
      return `${typeof relation.relationTo === 'string' ? relation.relationTo : ''}:${String(inner)}`
    }
    return `:${String(entry)}`
  })
}

function unchanged(value: unknown, previous: unknown): boolean {
  const now = idsOf(value)
  const before = idsOf(previous)
  return now.length === before.length && now.every((id, index) => id === before[index])
}

function keepStored(field: Field): void {
  if ((field.type === 'relationship' || field.type === 'upload') && field.filterOptions && field.validate) {
    const validate = field.validate as Validate
    const keeping: Validate = (value, options) =>
      unchanged(value, options.previousValue)
        ? validate(value, { ...options, filterOptions: undefined } as typeof options)
        : validate(value, options)
    field.validate = keeping
  }
  if ('fields' in field && Array.isArray(field.fields)) field.fields.forEach(keepStored)
  if (field.type === 'tabs') for (const tab of field.tabs) tab.fields.forEach(keepStored)
  if (field.type === 'blocks')
    for (const block of field.blocks) if (typeof block !== 'string') block.fields.forEach(keepStored)
}

/** Stored relationships are not re-filtered on saves that leave them as they are. */
export function keepStoredRelations(config: SanitizedConfig): SanitizedConfig {
  for (const collection of config.collections) collection.fields.forEach(keepStored)
  for (const global of config.globals) global.fields.forEach(keepStored)
  return config
}
