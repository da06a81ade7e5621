import type { AfterErrorHook } from 'payload'

// The multipart parser (busboy, inside Payload) fails on a body it cannot read — a part header
// with a NUL byte in the filename, a missing boundary, a truncated form — with plain Errors, and
// Payload JSON.parse's a multipart `_payload` field unguarded; it answers both 500. They describe
// the client's body: 400.
const PARSER_ERRORS = [
  /^Malformed part header$/,
  /^Malformed urlencoded form$/,
  /^Malformed content type$/,
  /^Unexpected end of (form|file)$/,
  /^Multipart: Boundary not found$/,
  /^Missing Content-Type$/,
  /^Unsupported content type: /,
]

const isParserError = (error: Error): boolean =>
  error.constructor === Error && PARSER_ERRORS.some((pattern) => pattern.test(error.message))

// Only JSON.parse's own SyntaxError: one thrown by anything else would be a bug of ours.
const isJsonError = (error: Error): boolean =>
  error.name === 'SyntaxError' && /^\s*at JSON\.parse /m.test(error.stack ?? '')

export const malformedBodyIs400: AfterErrorHook = ({ error }) => {
  if (!(error instanceof Error) || !(isParserError(error) || isJsonError(error))) return
  const message = `The request body could not be read: ${error.message}.`
  return {
    status: 400,
    response: { errors: [{ message }] },
    graphqlResult: { message, extensions: { statusCode: 400 } },
  }
}
