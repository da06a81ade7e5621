import { mkdtempSync, readdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import sharp from 'sharp'

import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { startTestServer } from './helpers/server'
import type { TestServer } from './helpers/server'
import { firstAdmin, verifiedCustomer } from './helpers/users'
import type { Account } from './helpers/users'

const MAX_UPLOAD_BYTES = 400_000
const mediaDir = mkdtempSync(path.join(os.tmpdir(), 'store-media-'))

let server: TestServer
let api: Api
let admin: Account
let alice: Account
let bob: Account

type MediaDoc = {
  id: number | string
  filename: string
  mimeType: string
  url: string
  private: boolean
  owner: number | string | { id: number | string } | null
  sizes: Record<string, { width: number | null; mimeType: string | null; filename: string | null }>
}

beforeAll(async () => {
  server = await startTestServer({ MEDIA_DIR: mediaDir, MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) })
  api = client(server.url)
  admin = await firstAdmin(api)
  alice = await verifiedCustomer(api, server.mailbox, 'alice')
  bob = await verifiedCustomer(api, server.mailbox, 'bob')
})

afterAll(async () => {
  await server?.stop()
})

const png = (width: number, height: number): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .png()
    .toBuffer()

/** Random pixels do not compress: a PNG of roughly width × height × 3 bytes. */
const noisePng = (width: number, height: number): Promise<Buffer> => {
  const raw = Buffer.alloc(width * height * 3)
  for (let i = 0; i < raw.length; i++) raw[i] = Math.floor(Math.random() * 256)
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer()
}

function upload(bytes: Buffer, name: string, type: string, token?: string, alt = 'test image') {
  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), name)
  form.append('_payload', JSON.stringify({ alt }))
  return api<{ doc: MediaDoc; errors?: { message: string }[] }>('/api/media', {
    method: 'POST',
    body: form,
    token,
  })
}

const stored = (): string[] => readdirSync(mediaDir)

describe('accepted uploads', () => {
  it('stores an admin image with WebP variants under MEDIA_DIR and serves it', async () => {
    const res = await upload(await png(1200, 900), 'sofa.png', 'image/png', admin.token)
    expect(res.status).toBe(201)
    const doc = res.body.doc
    expect(doc.mimeType).toBe('image/png')
    expect(doc.private).toBe(false)
    expect(doc.sizes.thumbnail?.mimeType).toBe('image/webp')
    expect(doc.sizes.thumbnail?.width).toBe(300)
    expect(doc.sizes.card?.width).toBe(768)
    // Smaller than the large size: not enlarged.
    expect(doc.sizes.large?.filename ?? null).toBeNull()
    expect(stored()).toEqual(expect.arrayContaining([doc.filename, doc.sizes.thumbnail?.filename]))

    const file = await fetch(`${server.url}/api/media/file/${doc.filename}`)
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toBe('image/png')
    const anonymousRead = await api<MediaDoc>(`/api/media/${doc.id}`)
    expect(anonymousRead.status).toBe(200)
  })

  it('accepts JPEG, WebP, GIF and AVIF judged by their bytes', async () => {
    const base = sharp({ create: { width: 64, height: 64, channels: 3, background: '#336699' } })
    const cases: [Buffer, string, string][] = [
      [await base.clone().jpeg().toBuffer(), 'a.jpg', 'image/jpeg'],
      [await base.clone().webp().toBuffer(), 'a.webp', 'image/webp'],
      [await base.clone().gif().toBuffer(), 'a.gif', 'image/gif'],
      [await base.clone().avif().toBuffer(), 'a.avif', 'image/avif'],
    ]
    for (const [bytes, name, type] of cases) {
      const res = await upload(bytes, name, 'application/octet-stream', admin.token)
      expect(res.status).toBe(201)
      expect(res.body.doc.mimeType).toBe(type)
    }
  })
})

describe('refused uploads change nothing', () => {
  const refused = async (bytes: Buffer, name: string, type: string, expected: number[]) => {
    const before = stored().length
    const count = (await server.payload.count({ collection: 'media' })).totalDocs
    const res = await upload(bytes, name, type, admin.token)
    expect(expected).toContain(res.status)
    expect(Array.isArray(res.body.errors)).toBe(true)
    expect(stored().length).toBe(before)
    expect((await server.payload.count({ collection: 'media' })).totalDocs).toBe(count)
  }

  it('refuses a text file named .png', async () => {
    await refused(
      Buffer.from('just some text, not an image at all\n'.repeat(20)),
      'fake.png',
      'image/png',
      [400],
    )
  })

  it('refuses an SVG carrying script', async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>'
    await refused(Buffer.from(svg), 'logo.png', 'image/png', [400])
    await refused(Buffer.from(svg), 'logo.svg', 'image/svg+xml', [400])
  })

  it('refuses a truncated image', async () => {
    const whole = await png(400, 400)
    await refused(whole.subarray(0, 40), 'cut.png', 'image/png', [400])
  })

  it('refuses a file larger than MAX_UPLOAD_BYTES with 413', async () => {
    const big = await noisePng(400, 400)
    expect(big.length).toBeGreaterThan(MAX_UPLOAD_BYTES)
    await refused(big, 'big.png', 'image/png', [413])
  })

  it('refuses a create without a file', async () => {
    const res = await api('/api/media', { token: admin.token, json: { alt: 'no file' } })
    expect(res.status).toBe(400)
  })

  it('refuses anonymous uploads', async () => {
    const res = await upload(await png(50, 50), 'anon.png', 'image/png')
    expect(res.status).toBe(403)
  })
})

describe("a customer's own uploads", () => {
  let aliceMedia: MediaDoc
  let adminMedia: MediaDoc

  beforeAll(async () => {
    aliceMedia = (await upload(await png(200, 200), 'me.png', 'image/png', alice.token, 'alice')).body.doc
    adminMedia = (await upload(await png(200, 200), 'catalog.png', 'image/png', admin.token, 'catalog')).body
      .doc
  })

  it('are private to their owner and admins', async () => {
    expect(aliceMedia.private).toBe(true)
    expect((await api(`/api/media/${aliceMedia.id}`, { token: alice.token })).status).toBe(200)
    expect((await api(`/api/media/${aliceMedia.id}`, { token: admin.token })).status).toBe(200)
    expect((await api(`/api/media/${aliceMedia.id}`, { token: bob.token })).status).toBe(404)
    expect((await api(`/api/media/${aliceMedia.id}`)).status).toBe(404)
    const list = await api<{ docs: MediaDoc[] }>('/api/media?limit=100', { token: bob.token })
    expect(list.body.docs.map((doc) => doc.id)).not.toContain(aliceMedia.id)
    const file = await fetch(`${server.url}/api/media/file/${aliceMedia.filename}`)
    expect([403, 404]).toContain(file.status)
  })

  it('can be their avatar; someone else’s image cannot', async () => {
    const own = await api<{ doc: { avatar: { id: number | string } } }>(`/api/users/${alice.id}`, {
      method: 'PATCH',
      token: alice.token,
      json: { avatar: aliceMedia.id },
    })
    expect(own.status).toBe(200)
    expect(own.body.doc.avatar.id).toBe(aliceMedia.id)
    const foreign = await api(`/api/users/${alice.id}`, {
      method: 'PATCH',
      token: alice.token,
      json: { avatar: adminMedia.id },
    })
    expect(foreign.status).toBe(400)
  })

  it('cannot be changed or deleted by another customer, nor can catalog images', async () => {
    for (const id of [aliceMedia.id, adminMedia.id]) {
      const patch = await api(`/api/media/${id}`, { method: 'PATCH', token: bob.token, json: { alt: 'x' } })
      expect([403, 404]).toContain(patch.status)
      const del = await api(`/api/media/${id}`, { method: 'DELETE', token: bob.token })
      expect([403, 404]).toContain(del.status)
    }
    const still = await server.payload.findByID({ collection: 'media', id: adminMedia.id })
    expect(still.alt).toBe('catalog')
  })

  it('cannot be made public or handed to someone else by their owner', async () => {
    const res = await api(`/api/media/${aliceMedia.id}`, {
      method: 'PATCH',
      token: alice.token,
      json: { private: false, owner: bob.id },
    })
    expect(res.status).toBeLessThan(500)
    const doc = await server.payload.findByID({ collection: 'media', id: aliceMedia.id, depth: 0 })
    expect(doc.private).toBe(true)
    expect(doc.owner).toBe(alice.id)
  })
})
