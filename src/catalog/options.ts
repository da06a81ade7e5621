// The rules of product options and the variants built from them, in one place: the collections'
// hooks, the cart and the seed all ask here.

/** At most this many options per product (Size, Colour, Material). */
export const MAX_OPTIONS = 3
/** At most this many values per option. */
export const MAX_OPTION_VALUES = 50
const MAX_NAME = 40

/** A product's option as stored and on the wire: `{name: "Size", values: ["S", "M"]}`. */
export type ProductOption = { name: string; values: string[] }

/** A variant's choice: one value for each of its product's options, `{"Size": "M"}`. */
export type VariantOptions = Record<string, string>

/** The options of a product as read (array rows carry ids; missing values read as none). */
export function optionsOf(value: unknown): ProductOption[] {
  if (!Array.isArray(value)) return []
  return value.flatMap((row: unknown) => {
    if (!row || typeof row !== 'object') return []
    const { name, values } = row as { name?: unknown; values?: unknown }
    if (typeof name !== 'string') return []
    const list = Array.isArray(values)
      ? values.filter((each): each is string => typeof each === 'string')
      : []
    return [{ name, values: list }]
  })
}

/** What is wrong with a product's list of options, or null. */
export function optionListProblem(options: ProductOption[]): string | null {
  if (options.length > MAX_OPTIONS) return `At most ${MAX_OPTIONS} options.`
  const names = new Set<string>()
  for (const { name, values } of options) {
    const key = name.trim().toLowerCase()
    if (!key || name !== name.trim() || name.length > MAX_NAME)
      return `Each option needs a name of 1 to ${MAX_NAME} characters, without surrounding spaces.`
    if (names.has(key)) return `The option "${name}" is named twice.`
    names.add(key)
    if (values.length === 0) return `The option "${name}" needs at least one value.`
    if (values.length > MAX_OPTION_VALUES)
      return `The option "${name}" has more than ${MAX_OPTION_VALUES} values.`
    const seen = new Set<string>()
    for (const value of values) {
      if (!value.trim() || value !== value.trim() || value.length > MAX_NAME)
        return `Each value of "${name}" is 1 to ${MAX_NAME} characters, without surrounding spaces.`
      if (seen.has(value.toLowerCase())) return `"${name}" lists "${value}" twice.`
      seen.add(value.toLowerCase())
    }
  }
  return null
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * What is wrong with a variant's options for a product with `options`, or null: exactly one of
 * the product's values for each of its options, nothing else.
 */
export function variantOptionsProblem(value: unknown, options: ProductOption[]): string | null {
  if (options.length === 0) return 'This product has no options: add them to the product first.'
  if (!isRecord(value)) return "Must be an object naming one value for each of the product's options."
  for (const key of Object.keys(value)) {
    if (!options.some((option) => option.name === key)) return `The product has no option "${key}".`
  }
  for (const { name, values } of options) {
    const chosen = value[name]
    if (chosen === undefined || chosen === null) return `Choose a value for "${name}".`
    if (typeof chosen !== 'string' || !values.includes(chosen))
      return `"${String(chosen)}" is not one of the values of "${name}" (${values.join(', ')}).`
  }
  return null
}

/** The variant's title: its values in the product's option order, `"M / Red"`. */
export const variantTitle = (chosen: VariantOptions, options: ProductOption[]): string =>
  options.map((option) => chosen[option.name] ?? '').join(' / ')

/** One key per combination of a product (unique with the product, in the database). */
export const combinationKey = (chosen: VariantOptions, options: ProductOption[]): string =>
  JSON.stringify(options.map((option) => [option.name, chosen[option.name] ?? null]))

/**
 * Why changing a product's options from `before` to `after` would break variants that use
 * `used` (their options), or null. Option names stay while variants exist; a value may go only
 * when no variant uses it.
 */
export function optionChangeProblem(
  before: ProductOption[],
  after: ProductOption[],
  used: VariantOptions[],
): string | null {
  if (used.length === 0) return null
  const names = (list: ProductOption[]) => list.map((option) => option.name).join('\u0000')
  if (names(before) !== names(after))
    return 'The options of a product with variants cannot be added, removed, renamed or reordered; delete its variants first.'
  for (const option of after) {
    for (const chosen of used) {
      const value = chosen[option.name]
      if (value !== undefined && !option.values.includes(value))
        return `"${value}" of "${option.name}" is used by a variant: change or delete that variant first.`
    }
  }
  return null
}
