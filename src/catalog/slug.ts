import { ValidationError } from 'payload'
import type { CollectionSlug, FieldHook, TextField, Where } from 'payload'

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/
export const SLUG_MAX = 120

/** "Crème Brûlée  Set!" → "creme-brulee-set" */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX)
    .replace(/-+$/g, '')
}

/**
 * A given slug must already be url-safe (400 otherwise); a missing one is derived from `source`
 * and made unique with a numeric suffix, so two products called "Mug" become `mug` and `mug-2`.
 */
const deriveSlug =
  (source: string): FieldHook =>
  async ({ collection, data, originalDoc, req, value }) => {
    const slug = collection?.slug as CollectionSlug
    if (typeof value === 'string' && value !== '') {
      if (!SLUG.test(value)) {
        throw new ValidationError({
          collection: slug,
          errors: [{ path: 'slug', message: 'Use lower-case letters, digits and single dashes only.' }],
        })
      }
      return value
    }
    if (originalDoc && typeof originalDoc.slug === 'string' && value === undefined) return originalDoc.slug
    const raw: unknown = data?.[source] ?? originalDoc?.[source]
    const base = typeof raw === 'string' ? slugify(raw) || 'item' : 'item'
    for (let n = 1; n < 1000; n++) {
      const candidate = n === 1 ? base : `${base.slice(0, SLUG_MAX - 6)}-${n}`
      const where: Where = { slug: { equals: candidate } }
      if (originalDoc?.id !== undefined) where.id = { not_equals: originalDoc.id }
      const { totalDocs } = await req.payload.count({ collection: slug, where, req, trash: true })
      if (totalDocs === 0) return candidate
    }
    return `${base.slice(0, SLUG_MAX - 14)}-${Date.now()}`
  }

export function slugField(source: string): TextField {
  return {
    name: 'slug',
    type: 'text',
    unique: true,
    index: true,
    maxLength: SLUG_MAX,
    admin: { position: 'sidebar', description: `Derived from the ${source} when left empty.` },
    hooks: { beforeValidate: [deriveSlug(source)] },
  }
}
