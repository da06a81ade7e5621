import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'

import type { ApiResponse } from './http'

type Json = { [key: string]: unknown }
export type OpenApi = {
  openapi: string
  paths: Record<string, Record<string, Json>>
  components: { schemas: Record<string, Json> }
}

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020

/**
 * Checks real answers against the schemas the OpenAPI document gives for them: `check(method,
 * '/api/carts/mine/items/{productId}', response)` finds the operation and the response of that
 * status and validates the body, with every `#/components/...` reference resolved.
 */
export function documentedSchemas(document: OpenApi) {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats(ajv)
  const compiled = new Map<string, ValidateFunction>()
  const checked = new Set<string>()

  function schemaOf(method: string, path: string, status: number): Json {
    const operation = document.paths[path]?.[method]
    if (!operation) throw new Error(`not in the document: ${method.toUpperCase()} ${path}`)
    const responses = operation.responses as Record<string, Json>
    const response = responses[String(status)]
    if (!response) throw new Error(`${method.toUpperCase()} ${path}: status ${status} is not documented`)
    const content = response.content as Record<string, { schema: Json }> | undefined
    const schema = content?.['application/json']?.schema
    if (!schema) throw new Error(`${method.toUpperCase()} ${path} ${status}: no JSON schema`)
    return schema
  }

  return {
    checked,
    check(method: string, path: string, response: ApiResponse<unknown>): void {
      const key = `${method} ${path} ${response.status}`
      let validate = compiled.get(key)
      if (!validate) {
        validate = ajv.compile({
          ...schemaOf(method, path, response.status),
          components: document.components,
        })
        compiled.set(key, validate)
      }
      if (!validate(response.body)) {
        throw new Error(
          `${method.toUpperCase()} ${path} ${response.status} does not match its schema: ${ajv.errorsText(validate.errors)}\n${response.text.slice(0, 2000)}`,
        )
      }
      checked.add(key)
    },
  }
}
