# Tasklane (the API and the web app it serves at /). Build: docker build -t tasklane .   Run with docker-compose.yml, or alone on the
# embedded database: docker run -p 3000:3000 -v tasklane-data:/data -e ALLOW_EMBEDDED_DB=true -e JWT_SECRET=… tasklane

# runtime dependencies only (no TypeScript, test or lint tools)
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# the source compiled to JavaScript (npm run build → dist/): plain node runs it, without the ~80 MB
# tsx would hold in every process
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY web ./web
# the commit tasklane_build_info reports (.git is not in the build context): --build-arg GIT_COMMIT=$(git rev-parse HEAD)
ARG GIT_COMMIT=unknown
RUN GIT_COMMIT=$GIT_COMMIT npm run build

FROM node:24-slim
ARG GIT_COMMIT=unknown
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="Tasklane" \
      org.opencontainers.image.description="Self-hostable project and task management: the web app and its JSON API" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$GIT_COMMIT" \
      org.opencontainers.image.documentation="README.md and docs/operations.md in the source" \
      org.opencontainers.image.base.name="docker.io/library/node:24-slim"
# V8's heap sizing (bench/RESULTS.md, Memory; the systemd units and docker-compose.yml's worker set the
# same): --max-semi-space-size=8 keeps the young generation at 2 × 8 MB (Node 24 lets it grow to 2 × 64
# MB under load, ~100 MB of the API's resident memory), and --heap-growing-percent=50 (on the command:
# NODE_OPTIONS refuses it) lets old space grow to 1.5 × what the last full collection kept rather than
# up to 4 ×, so the objects a small young generation promotes early are collected before old space grows
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=8 \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY drizzle ./drizzle
# DATA_DIR holds the embedded database and local files when no DATABASE_URL / S3_BUCKET is set
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and handles SIGTERM itself: the server stops accepting, drains, then closes the database
CMD ["node", "--heap-growing-percent=50", "dist/cli.js", "serve"]
