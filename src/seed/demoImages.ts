import sharp from 'sharp'

// Placeholder pictures for the demo catalog: a solid colour, a light gradient and the name on top,
// drawn as SVG and rasterised by sharp. The stored file is a JPEG (Media refuses SVG uploads; JPEG is the
// quickest for Payload to decode again for every image size).

export type ImageSpec = { width: number; height: number; colour: string; title: string; subtitle?: string }

const escapeXml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  )

/** A stable colour for any text: the same name always gets the same hue. */
export function colourFor(text: string, offset = 0): string {
  let hash = 0
  for (const char of text) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0
  return hslToHex((hash + offset * 47) % 360, 45, 42)
}

function hslToHex(hue: number, saturation: number, lightness: number): string {
  const s = saturation / 100
  const l = lightness / 100
  const k = (n: number) => (n + hue / 30) % 12
  const a = s * Math.min(l, 1 - l)
  const channel = (n: number) =>
    Math.round(255 * (l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1))))
      .toString(16)
      .padStart(2, '0')
  return `#${channel(0)}${channel(8)}${channel(4)}`
}

function overlay({ width, height, title, subtitle }: ImageSpec): Buffer {
  const size = Math.round(Math.min(width / Math.max(title.length * 0.6, 8), height / 6))
  const font = 'font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif"'
  const sub = subtitle
    ? `<text x="50%" y="${Math.round(height / 2 + size * 1.3)}" ${font} font-size="${Math.round(size * 0.45)}"
        fill="#ffffff" fill-opacity="0.8" text-anchor="middle">${escapeXml(subtitle)}</text>`
    : ''
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <defs>
    <linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#ffffff" stop-opacity="0.28"/>
      <stop offset="1" stop-color="#000000" stop-opacity="0.28"/>
    </linearGradient>
  </defs>
  <rect width="100%" height="100%" fill="url(#g)"/>
  <text x="50%" y="${Math.round(height / 2 + size * 0.35)}" ${font} font-size="${size}" font-weight="bold"
    fill="#ffffff" text-anchor="middle">${escapeXml(title)}</text>
  ${sub}
</svg>`)
}

/** A JPEG of the given size: the colour, the gradient and the text. */
export function renderImage(spec: ImageSpec): Promise<Buffer> {
  return sharp({ create: { width: spec.width, height: spec.height, channels: 3, background: spec.colour } })
    .composite([{ input: overlay(spec), top: 0, left: 0 }])
    .jpeg({ quality: 85 })
    .toBuffer()
}
