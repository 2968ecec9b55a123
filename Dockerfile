# The strait image: the `strait` CLI (broker, mirror, cluster tools) on Node 20. docker-compose.yml
# runs the multi-region demo with it; `docker run strait:local --help` lists the commands.
#
# Built in two stages: the first installs every dependency and compiles TypeScript (npm ci runs the
# package's prepare script, which is `npm run build`), then drops the dev dependencies; the second
# keeps only what runs: dist/, the production node_modules (with the native codecs built for this
# platform) and proto/, which the gRPC loader reads at run time.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY scripts ./scripts
COPY proto ./proto
COPY client ./client
COPY broker ./broker
COPY mirror ./mirror
COPY cli ./cli
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/proto ./proto
COPY config ./config
# The data dir belongs to the unprivileged user, so a named volume mounted there does too.
RUN mkdir -p /var/lib/strait && chown node:node /var/lib/strait
USER node
# gRPC (every service of a node) and /metrics, as config/docker/*.properties set them.
EXPOSE 9092 9100
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["--help"]
