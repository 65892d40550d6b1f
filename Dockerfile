# Container images of the three apps, one build target each:
#
#   npm run images                                     # all three, tagged stock-watchlist/<app>:<version>
#   docker build --network host --target gateway -t stock-watchlist/gateway .
#
# `build` compiles the whole monorepo once; `runtime` is what every app image shares (production
# dependencies, the shared libraries, tini, a non-root user); each app target adds its own compiled
# code, port and health check. Nothing here needs BuildKit, so the classic builder builds it too.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# Dependencies first: this layer is rebuilt only when the lock file changes, not on every code change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY libs libs
COPY apps apps
# The apps and libs without their specs (nest build <app>, tsconfig.app.json; the specs import
# test/support, which is not copied), then the watchlist page.
RUN npx nest build generator && npx nest build processor && npx nest build gateway \
 && npm run --silent typecheck:web && npm run --silent build:web

FROM node:24-bookworm-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim AS runtime
# Node is not written to run as PID 1: the kernel gives PID 1 no default signal actions, so a SIGTERM
# that arrives before the app has installed its handlers (while it connects to Kafka) would be ignored
# until the kill. tini is PID 1 instead, forwards signals to node and reaps zombies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
# package.json maps the #app/<lib> imports to dist/libs.
COPY package.json ./
COPY --from=production-dependencies /app/node_modules node_modules
COPY --from=build /app/dist/libs dist/libs
COPY deploy/docker/liveness-probe.mjs ./
# The official image's `node` user, by number so Kubernetes' runAsNonRoot can verify it. The code
# stays owned by root: the app cannot change it.
USER 1000:1000
ENTRYPOINT ["/usr/bin/tini", "--"]

FROM runtime AS generator
COPY --from=build /app/dist/apps/generator dist/apps/generator
EXPOSE 8082
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "liveness-probe.mjs", "GENERATOR_PORT", "8082"]
CMD ["node", "--enable-source-maps", "dist/apps/generator/src/main.js"]

FROM runtime AS processor
COPY --from=build /app/dist/apps/processor dist/apps/processor
EXPOSE 8083
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "liveness-probe.mjs", "PROCESSOR_PORT", "8083"]
CMD ["node", "--enable-source-maps", "dist/apps/processor/src/main.js"]

FROM runtime AS gateway
COPY --from=build /app/dist/apps/gateway dist/apps/gateway
COPY --from=build /app/dist/web dist/web
EXPOSE 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "liveness-probe.mjs", "GATEWAY_PORT", "8081"]
CMD ["node", "--enable-source-maps", "dist/apps/gateway/src/main.js"]
