# incident-bridge: `docker build -t incident-bridge .`, or `docker compose up --build` (docker-compose.yml).

# Build: every dependency, then the TypeScript compiled to dist/.
FROM node:20.19.5-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime: production dependencies, the compiled bridge and its default rules; no compiler, no sources.
FROM node:20.19.5-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    DATA_DIR=/app/data \
    RULES_DIR=/app/rules
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY rules ./rules
COPY public ./public
# The embedded mode's journal; mount a volume here to keep it (production mode keeps state in Redis).
RUN mkdir -p /app/data && chown node:node /app/data
# The `node` user (uid 1000) of the base image: the bridge needs no privilege.
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--v8-pool-size=1", "dist/main.js"]
