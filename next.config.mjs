import { withPayload } from '@payloadcms/next/withPayload'

/** @type {import('next').NextConfig} */
const nextConfig = {
  // The admin UI is served by src/server.ts; Next only renders it.
  poweredByHeader: false,
  // `npm run typecheck` checks every file; the build need not do it again.
  typescript: { ignoreBuildErrors: true },
  // Payload's server packages stay outside the bundle (native modules, dynamic requires).
  serverExternalPackages: ['sharp', 'ioredis', 'pino', 'pino-http'],
}

export default withPayload(nextConfig, { devBundleServerPackages: false })
