import sharp from 'sharp'
import { ValidationError } from 'payload'
import type { CollectionBeforeOperationHook } from 'payload'

// Judged by the decoded header, never by the name or the declared type: a text file named
// `.png` or an SVG (which can carry script) is refused before Payload stores anything.
const ACCEPTED: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
}

/** Larger images are refused: decoding them would take hundreds of megabytes. */
export const MAX_IMAGE_PIXELS = 40_000_000

function refuse(message: string, collection: string): never {
  throw new ValidationError({ collection, errors: [{ message, path: 'file' }] })
}

async function detectFormat(data: Buffer, collection: string): Promise<{ format: string; pixels: number }> {
  try {
    const meta = await sharp(data, { failOn: 'error' }).metadata()
    const format = meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : meta.format
    return { format, pixels: (meta.width ?? 0) * (meta.height ?? 0) * (meta.pages ?? 1) }
  } catch {
    return refuse('The file is not a readable image (JPEG, PNG, WebP, GIF or AVIF).', collection)
  }
}

export const validateImageBytes: CollectionBeforeOperationHook = async ({ args, collection, operation, req }) => {
  if (operation !== 'create' && operation !== 'update') return args
  const file = req.file
  if (!file) {
    if (operation === 'create') refuse('An image file is required.', collection.slug)
    return args
  }
  const { format, pixels } = await detectFormat(file.data, collection.slug)
  const mimeType = ACCEPTED[format]
  if (!mimeType) {
    refuse(`Images only (JPEG, PNG, WebP, GIF or AVIF); this file is ${format}.`, collection.slug)
  }
  if (pixels > MAX_IMAGE_PIXELS) {
    refuse(`The image has too many pixels (at most ${MAX_IMAGE_PIXELS}).`, collection.slug)
  }
  // Payload stores the declared type; make it the detected one.
  file.mimetype = mimeType
  return args
}
