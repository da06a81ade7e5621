# syntax=docker/dockerfile:1
#
# Production image of the store backend: REST, GraphQL, admin UI and Socket.IO on one port.
#
#   docker compose up --build            # with MongoDB (replica set) and Redis, see docker-compose.yml
#   docker build -t store-backend .
#   docker run --init -p 3000:3000 -e PAYLOAD_SECRET=... -e DATABASE_URI=mongodb://... store-backend
#
# Without DATABASE_URI the server falls back to SQLite at /app/data/store.db (mount a volume there).
# Uploads go to /app/media (mount a volume there too).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# ---------------------------------------------------------------------------------------------
# deps: every dependency, dev ones included (next build type-checks with typescript).
# NODE_ENV is deliberately unset here: with NODE_ENV=production `npm ci` would skip devDependencies.
# All native modules (sharp, libsql, esbuild, swc) come as prebuilt glibc binaries, so no
# compiler toolchain is needed on bookworm-slim.
FROM base AS deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci

# ---------------------------------------------------------------------------------------------
# build: the admin UI (`next build`), then drop devDependencies. No database and no
# PAYLOAD_SECRET are needed: next sets NEXT_PHASE=phase-production-build and
# src/config/env.ts skips the production secret check in that phase.
FROM base AS build
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# Then: drop the build cache (useful only to a next build; the server recreates .next/cache),
# drop devDependencies (tsx stays: it is a runtime dependency, the server runs the TypeScript
# sources directly), and make sure public/ exists so the runtime stage can always COPY it.
RUN npm run build \
 && rm -rf .next/cache \
 && npm prune --omit=dev \
 && mkdir -p public

# ---------------------------------------------------------------------------------------------
FROM base AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000

# Code and dependencies stay owned by root (read-only to the app). Only what the server writes
# to is owned by `node`: .next (Next's runtime cache under .next/cache), media/ (uploads) and
# data/ (SQLite, when DATABASE_URI is a file: URL). package.json is needed at run time too: its
# "type": "module" is what makes tsx load the .ts sources as ES modules (top-level await).
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/.next ./.next
COPY --from=build /app/public ./public
COPY --from=build /app/src ./src
COPY --from=build /app/collections ./collections
COPY --from=build /app/hooks ./hooks
COPY --from=build /app/endpoints ./endpoints
COPY --from=build /app/migrations ./migrations
COPY --from=build /app/payload.config.ts /app/payload-types.ts /app/next.config.mjs /app/tsconfig.json ./
RUN mkdir -p /app/media /app/data \
 && chown node:node /app/media /app/data

USER node
EXPOSE 3000

# Readiness: 200 once the database (and Redis, when configured) answer. Node itself does the
# request: slim images have no curl or wget.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/ready',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# Equivalent to `npm start` (NODE_ENV=production node --conditions=production --import tsx
# src/server.ts) but without npm
# and its shell: `npm start` runs the server under `sh -c` under npm, which does not
# reliably pass SIGTERM on, so `docker stop` would wait out the grace period and SIGKILL the
# server mid-request. With `node --import tsx` the server is the only process and receives the
# signal itself; src/server.ts then drains in-flight requests and closes the database and Redis.
# Run it with an init process (`init: true` in compose, `docker run --init`) so that PID 1 reaps
# zombies and forwards signals.
CMD ["node", "--conditions=production", "--import", "tsx", "src/server.ts"]
