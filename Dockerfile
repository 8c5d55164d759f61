# Tasklane API. Build: docker build -t tasklane .   Run with docker-compose.yml, or alone on the
# embedded database: docker run -p 3000:3000 -v tasklane-data:/data -e ALLOW_EMBEDDED_DB=true -e JWT_SECRET=… tasklane

# dependencies only: the runtime needs no devDependencies (tsx, which runs the TypeScript source, is a dependency)
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY drizzle ./drizzle
# DATA_DIR holds the embedded database and local files when no DATABASE_URL / S3_BUCKET is set
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and handles SIGTERM itself: the server stops accepting, drains, then closes the database
CMD ["node", "--import", "tsx", "src/cli.ts", "serve"]
