# Nudge image: the TypeScript source on Node.js 24 LTS (which runs it directly, as in a checkout),
# data in the /data volume. One image for every role: `serve --role api|ingest-worker|runner|…`.
# The source is shipped rather than a tsc build because the journeys, migrations, routing rules
# and scoring model ship beside the code as YAML, SQL and JSON files that tsc does not copy.
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production NUDGE_DATA_DIR=/data HOST=0.0.0.0 PORT=8080 LOG_FORMAT=json
COPY package.json package-lock.json ./
# --ignore-scripts: the `node` dev dependency (omitted here) only provisions Node 24 on older machines.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY services ./services
COPY infra ./infra
COPY journeys ./journeys
COPY projections ./projections
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/nudge.js"]
CMD ["serve"]
