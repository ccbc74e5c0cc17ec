# Nudge API image: compiled JavaScript on Node.js 24 LTS, data in the /data volume.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the `node` dev dependency only provisions Node 24 on older machines.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY services ./services
COPY infra ./infra
COPY journeys ./journeys
COPY projections ./projections
RUN npm run build

FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production NUDGE_DATA_DIR=/data HOST=0.0.0.0 PORT=8080 LOG_FORMAT=json
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/nudge.js"]
CMD ["serve"]
