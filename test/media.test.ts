import { mkdtempSync, readdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { crc32, deflateSync } from 'node:zlib'

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import sharp from 'sharp'

import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
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

/** A PNG written by hand: signature, IHDR, one IDAT of `rows` already deflated, IEND. */
function handmadePng(
  width: number,
  height: number,
  bitDepth: number,
  colourType: number,
  idat: Buffer,
): Buffer {
  const chunk = (type: string, body: Buffer): Buffer => {
    const head = Buffer.alloc(8)
    head.writeUInt32BE(body.length, 0)
    head.write(type, 4, 'latin1')
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0)
    return Buffer.concat([head, body, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.writeUInt8(bitDepth, 8)
  ihdr.writeUInt8(colourType, 9)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ])
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

  it('refuses HTML, JavaScript and PDF bytes declared as a PNG', async () => {
    const spoofs = [
      '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>',
      'fetch("/api/users/me").then((r) => r.text()).then(console.log)',
      '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF',
    ]
    for (const text of spoofs) await refused(Buffer.from(text), 'photo.png', 'image/png', [400])
  })

  it('refuses an SVG without script too: SVG is not an accepted type', async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    await refused(Buffer.from(svg), 'plain.svg', 'image/svg+xml', [400])
    await refused(Buffer.from(svg), 'plain.png', 'image/png', [400])
  })

  it('refuses a decompression bomb from its header, quickly and without decoding it', async () => {
    // 100000 × 100000 declared (10 gigapixels), a few hundred bytes on the wire.
    const claimed = handmadePng(100_000, 100_000, 8, 2, deflateSync(Buffer.alloc(1000)))
    // A complete, valid 1-bit PNG of 10000 × 10000 (100 megapixels, below sharp's default limit of
    // 268) in about 12 KB: decoding it to RGBA would take 400 MB.
    const valid = handmadePng(10_000, 10_000, 1, 0, deflateSync(Buffer.alloc(10_000 * 1251), { level: 9 }))
    expect(valid.length).toBeLessThan(50_000)
    for (const bomb of [claimed, valid]) {
      const rss = process.memoryUsage().rss
      const started = performance.now()
      await refused(bomb, 'bomb.png', 'image/png', [400])
      expect(performance.now() - started).toBeLessThan(1000)
      // The server runs in this process: its memory is ours.
      expect(process.memoryUsage().rss - rss).toBeLessThan(100 * 1024 * 1024)
    }
  })

  it('refuses PNG and JPEG images cut in half, even smaller than every variant', async () => {
    const noise = Buffer.alloc(200 * 200 * 3)
    for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(Math.random() * 256)
    const image = sharp(noise, { raw: { width: 200, height: 200, channels: 3 } })
    const wholePng = await image.clone().png().toBuffer()
    const wholeJpeg = await image.clone().jpeg().toBuffer()
    await refused(wholePng.subarray(0, wholePng.length >> 1), 'half.png', 'image/png', [400])
    await refused(wholeJpeg.subarray(0, wholeJpeg.length >> 1), 'half.jpg', 'image/jpeg', [400])
  })

  it('refuses polyglots: an image header or a whole image followed by HTML', async () => {
    const html = Buffer.from('<html><body><script>alert(1)</script></body></html>')
    const gifHeader = Buffer.from([...Buffer.from('GIF89a'), 10, 0, 10, 0, 0, 0, 0])
    await refused(Buffer.concat([gifHeader, html]), 'poly.gif', 'image/gif', [400])
    const gif = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } })
      .gif()
      .toBuffer()
    await refused(Buffer.concat([gif, html]), 'poly.gif', 'image/gif', [400])
    await refused(Buffer.concat([await png(10, 10), html]), 'poly.png', 'image/png', [400])
  })

  it('refuses a zero-byte file', async () => {
    await refused(Buffer.alloc(0), 'empty.png', 'image/png', [400])
  })

  it('refuses a file whose name does not match its content', async () => {
    const bytes = await png(20, 20)
    const jpeg = await sharp(bytes).jpeg().toBuffer()
    await refused(bytes, 'photo.jpg', 'image/jpeg', [400])
    await refused(jpeg, 'photo.png', 'image/png', [400])
    await refused(bytes, 'page.html', 'image/png', [400])
    await refused(bytes, 'no-extension', 'image/png', [400])
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
