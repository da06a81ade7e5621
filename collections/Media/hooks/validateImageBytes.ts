import path from 'node:path'

import sharp from 'sharp'
import { ValidationError } from 'payload'
import type { CollectionBeforeOperationHook } from 'payload'

// Judged by the bytes, never by the declared type: a text file named `.png`, an SVG (which can
// carry script), a truncated image or one that only pretends to be small is refused before
// Payload stores or resizes anything.
const ACCEPTED: Record<string, { mimeType: string; extensions: string[]; label: string }> = {
  jpeg: { mimeType: 'image/jpeg', extensions: ['jpg', 'jpeg', 'jfif', 'jpe'], label: 'JPEG' },
  png: { mimeType: 'image/png', extensions: ['png'], label: 'PNG' },
  webp: { mimeType: 'image/webp', extensions: ['webp'], label: 'WebP' },
  gif: { mimeType: 'image/gif', extensions: ['gif'], label: 'GIF' },
  avif: { mimeType: 'image/avif', extensions: ['avif'], label: 'AVIF' },
}

/** Larger images are refused: decoding them would take hundreds of megabytes. */
export const MAX_IMAGE_PIXELS = 40_000_000

// Markup inside an image is a polyglot (an image that is also an HTML page or a script host).
// Six or more characters each, so compressed pixel data practically never matches by chance.
const MARKUP = /<(?:script|iframe|object|embed)\b|<html[\s>]|<body[\s>]|<!doctype\s|<\?php|javascript:/i

const UNREADABLE = 'The file is not a readable image (JPEG, PNG, WebP, GIF or AVIF).'

function refuse(message: string, collection: string): never {
  throw new ValidationError({ collection, errors: [{ message, path: 'file' }] })
}

type Header = { format: string; pixels: number }

/** The header only: cheap, so a decompression bomb is refused before a single pixel is decoded. */
async function readHeader(data: Buffer, collection: string): Promise<Header> {
  try {
    const meta = await sharp(data, { failOn: 'error' }).metadata()
    const format = meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : meta.format
    return { format, pixels: (meta.width ?? 0) * (meta.height ?? 0) * (meta.pages ?? 1) }
  } catch {
    return refuse(UNREADABLE, collection)
  }
}

/**
 * Decodes every frame (streamed into a tiny thumbnail, so memory stays small): a truncated or
 * corrupt image passes the header check but fails here, instead of failing later in Payload's
 * resizing with a 500.
 */
async function decodes(data: Buffer): Promise<boolean> {
  try {
    await sharp(data, { failOn: 'error', limitInputPixels: MAX_IMAGE_PIXELS, animated: true })
      .resize(16, 16, { fit: 'inside' })
      .raw()
      .toBuffer()
    return true
  } catch {
    return false
  }
}

export const validateImageBytes: CollectionBeforeOperationHook = async ({ args, collection, operation, req }) => {
  if (operation !== 'create' && operation !== 'update') return args
  const file = req.file
  if (!file) {
    if (operation === 'create') refuse('An image file is required.', collection.slug)
    return args
  }
  if (file.data.length === 0) refuse('The file is empty.', collection.slug)
  const { format, pixels } = await readHeader(file.data, collection.slug)
  const accepted = ACCEPTED[format]
  if (!accepted) {
    refuse(`Images only (JPEG, PNG, WebP, GIF or AVIF); this file is ${format}.`, collection.slug)
  }
  if (pixels > MAX_IMAGE_PIXELS) {
    refuse(`The image has too many pixels (at most ${MAX_IMAGE_PIXELS}).`, collection.slug)
  }
  const extension = path.extname(file.name).slice(1).toLowerCase()
  if (!accepted.extensions.includes(extension)) {
    refuse(
      `The file name (${extension ? `.${extension}` : 'no extension'}) does not match its content: a ${accepted.label} image (.${accepted.extensions[0]}).`,
      collection.slug,
    )
  }
  if (MARKUP.test(file.data.toString('latin1'))) refuse('The image carries markup or script.', collection.slug)
  if (!(await decodes(file.data))) refuse(UNREADABLE, collection.slug)
  // Payload stores the declared type; make it the detected one.
  file.mimetype = accepted.mimeType
  return args
}
