import path from 'node:path'
import { fileURLToPath } from 'node:url'

import type { CollectionConfig } from 'payload'

import { env } from '../../src/config/env'
import { adminOnlyField, adminOrOwner, authenticated, publicOrOwner } from '../../src/access'
import { setOwner } from './hooks/setOwner'
import { MAX_IMAGE_PIXELS, validateImageBytes } from './hooks/validateImageBytes'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

const webp = { format: 'webp' as const, options: { quality: 80 } }

export const Media: CollectionConfig = {
  slug: 'media',
  admin: {
    group: 'Catalog',
    defaultColumns: ['filename', 'alt', 'mimeType', 'filesize', 'owner', 'createdAt'],
  },
  access: {
    read: publicOrOwner('owner', 'private'),
    create: authenticated,
    update: adminOrOwner('owner'),
    delete: adminOrOwner('owner'),
  },
  hooks: {
    beforeOperation: [validateImageBytes],
    beforeChange: [setOwner],
  },
  upload: {
    staticDir: path.resolve(root, env().MEDIA_DIR),
    // Raster types only: `image/*` would let SVG (and its scripts) through.
    mimeTypes: ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif'],
    // Payload's own resizing refuses what the hook would (sharp's default allows 268 megapixels).
    constructorOptions: { limitInputPixels: MAX_IMAGE_PIXELS },
    adminThumbnail: 'thumbnail',
    focalPoint: true,
    imageSizes: [
      { name: 'thumbnail', width: 300, height: 300, position: 'centre', formatOptions: webp },
      { name: 'card', width: 768, formatOptions: webp },
      { name: 'large', width: 1600, formatOptions: webp },
    ],
  },
  fields: [
    { name: 'alt', type: 'text', maxLength: 300 },
    {
      name: 'owner',
      type: 'relationship',
      relationTo: 'users',
      index: true,
      access: { create: () => false, update: () => false },
      admin: { readOnly: true, position: 'sidebar' },
    },
    {
      name: 'private',
      type: 'checkbox',
      defaultValue: false,
      index: true,
      access: { create: () => false, update: adminOnlyField },
      admin: { position: 'sidebar', description: 'Private files are visible to their owner and admins only.' },
    },
  ],
}
