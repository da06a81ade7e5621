import { graphql, image, local, next, rest } from './context'
import type { Doc, Id } from './context'
import { byIdOver, literal, trashArg, trashQuery, variantsOf } from './expectations'
import type { Transport } from './expectations'
import { fixtureOf } from './fixtures'
import type { Actor, CollectionPolicy } from './matrix'

// One collection operation as one actor, answered as a short summary (status and effect) that
// expectations.ts predicts from the matrix.

export async function readAs(
  policy: CollectionPolicy,
  actor: Actor,
  transport: Transport,
  docs: Record<string, Doc>,
) {
  const byVariant = new Map(Object.entries(docs).map(([variant, doc]) => [String(doc.id), variant]))
  let list: string
  if (transport === 'rest') {
    const res = await rest<{ docs?: Doc[] }>(
      actor,
      `/api/${policy.slug}?limit=1000&depth=1${trashQuery(policy)}`,
    )
    const seen = (res.body.docs ?? []).map((doc) => byVariant.get(String(doc.id))).filter(Boolean)
    list = res.status === 200 ? `list 200 [${seen.sort().join(',')}]` : `list ${res.status}`
  } else {
    const { plural } = policy.graphql
    const res = await graphql(actor, `{ ${plural}(limit: 1000${trashArg(policy)}) { docs { id } } }`)
    const found = (res.data[plural] as { docs: Doc[] } | null)?.docs ?? []
    const seen = found.map((doc) => byVariant.get(String(doc.id))).filter(Boolean)
    list = res.status === 200 ? `list 200 [${seen.sort().join(',')}]` : `list ${res.status}`
  }
  if (!byIdOver(policy, transport)) return list
  const byId = await Promise.all(
    Object.entries(docs).map(async ([variant, doc]) => {
      if (transport === 'rest') {
        const res = await rest(actor, `/api/${policy.slug}/${doc.id}?depth=0${trashQuery(policy)}`)
        return `${variant}:${res.status}`
      }
      const { singular } = policy.graphql
      const res = await graphql(actor, `{ ${singular}(id: ${literal(doc.id)}${trashArg(policy)}) { id } }`)
      return `${variant}:${res.status === 200 && !res.data[singular] ? 404 : res.status}`
    }),
  )
  return [list, ...byId].join(' ')
}

export async function stored(policy: CollectionPolicy, id: Id): Promise<Doc | null> {
  return local.findByID({ collection: policy.slug, id, depth: 0, trash: true, disableErrors: true })
}

export const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

export async function writeAs(
  policy: CollectionPolicy,
  actor: Actor,
  transport: Transport,
  operation: 'update' | 'delete',
): Promise<string> {
  const fixture = fixtureOf(policy.slug)
  const results: string[] = []
  for (const variant of variantsOf(policy)) {
    const doc = await fixture.make(variant, actor, operation)
    const before = await stored(policy, doc.id)
    const data = fixture.update()
    let status: number
    if (transport === 'rest') {
      const url = `/api/${policy.slug}/${doc.id}${policy.trash ? '?trash=true' : ''}`
      const res =
        operation === 'update'
          ? await rest(actor, url, { method: 'PATCH', json: data })
          : await rest(actor, url, { method: 'DELETE' })
      status = res.status
    } else {
      const { singular } = policy.graphql
      const res =
        operation === 'update'
          ? await graphql(
              actor,
              `mutation($data: mutation${singular}UpdateInput!) { update${singular}(id: ${literal(doc.id)}, data: $data${trashArg(policy)}) { id } }`,
              { data: { ...fixture.graphqlUpdate, ...data } },
            )
          : await graphql(
              actor,
              `mutation { delete${singular}(id: ${literal(doc.id)}${trashArg(policy)}) { id } }`,
            )
      status = res.status
    }
    const after = await stored(policy, doc.id)
    let effect: string
    if (operation === 'delete') effect = after ? 'unchanged' : 'gone'
    else {
      const changed = Object.entries(data).every(([key, value]) => sameValue(after?.[key], value))
      effect = changed ? 'changed' : sameValue(after, before) ? 'unchanged' : 'altered'
    }
    results.push(`${variant}:${status === 200 ? 'ok' : status}:${effect}`)
  }
  return results.join(' ')
}

export async function createAs(
  policy: CollectionPolicy,
  actor: Actor,
  transport: Transport,
): Promise<string> {
  const fixture = fixtureOf(policy.slug)
  const before = (await local.count({ collection: policy.slug, trash: true })).totalDocs
  let ok: boolean
  let status: number
  if (policy.slug === 'media') {
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(image)], { type: 'image/png' }), `up-${next()}.png`)
    form.append('_payload', JSON.stringify({ alt: 'uploaded' }))
    const res = await rest(actor, '/api/media', { method: 'POST', body: form })
    status = res.status
    ok = status === 201
  } else {
    const data = await (fixture.createData ?? (async () => ({})))()
    if (transport === 'rest') {
      const res = await rest(actor, `/api/${policy.slug}`, { json: data })
      status = res.status
      ok = status === 201
    } else {
      const { singular } = policy.graphql
      const res = await graphql(
        actor,
        `mutation($data: mutation${singular}Input!) { create${singular}(data: $data) { id } }`,
        { data: { ...fixture.graphqlCreate, ...data } },
      )
      status = res.status
      ok = status === 200
    }
  }
  const after = (await local.count({ collection: policy.slug, trash: true })).totalDocs
  const effect =
    after === before + 1 ? 'created' : after === before ? 'unchanged' : `count ${before}→${after}`
  return `${ok ? 'ok' : status}:${effect}`
}
