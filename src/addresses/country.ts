import countries from 'i18n-iso-countries'

// Country codes are ISO 3166-1 alpha-2, checked against i18n-iso-countries' list (kept up to date
// by its maintainers, not by hand here), stored upper case.

/** The code upper case if it is an assigned ISO 3166-1 alpha-2 code, else null. */
export function countryCode(value: unknown): string | null {
  if (typeof value !== 'string') return null
  const code = value.trim().toUpperCase()
  // isValid also takes alpha-3 and numeric codes: only two letters are an alpha-2 code.
  return /^[A-Z]{2}$/.test(code) && countries.isValid(code) ? code : null
}

export const COUNTRY_MESSAGE = 'must be an ISO 3166-1 alpha-2 country code, such as GB or US'

/** A country code as stored: trimmed, upper case (anything else is left for validation to refuse). */
export const storedCountry = (value: unknown): unknown =>
  typeof value === 'string' ? value.trim().toUpperCase() : value

/** Payload field `validate` for a required country code. */
export const validateCountry = (value: unknown): true | string =>
  countryCode(value) ? true : `Country ${COUNTRY_MESSAGE}.`
