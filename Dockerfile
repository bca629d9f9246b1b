# The wintap-noise worker: the pipeline's workflows and activities (DuckDB) on a Temporal task queue.
# Built by docker-compose.yml (service `worker`); scale with `docker compose up --scale worker=N`.
ARG NODE_IMAGE=node:20-slim
FROM ${NODE_IMAGE}

WORKDIR /app
ENV NODE_ENV=production \
    npm_config_update_notifier=false

# Dependencies first, so a code change does not reinstall them. --ignore-scripts skips the postinstall
# that fetches a Temporal CLI (the worker talks to the server over gRPC and needs none); DuckDB and the
# Temporal core bridge ship their native binaries inside their npm packages.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

# The sources (tsx runs TypeScript directly: no build step); .dockerignore keeps data, tests and
# local state out. The CLI comes along: `docker compose run --rm worker npx wintap-noise run ...`.
COPY . .

# The workflow code is bundled once here rather than by webpack at every worker start (~5 s, and a
# few hundred MB of memory per worker); every replica runs byte-identical workflow code.
RUN node --import tsx deploy/bundle-workflows.ts /app/dist/workflow-bundle.js

# /data: the shared volume (inputs, outputs, partition checkpoints: every worker must see the same
# files). /scratch: this container's own DuckDB spill folder, kept off the shared volume.
RUN mkdir -p /data /scratch && chown node:node /data /scratch
USER node

ENV WINTAP_NOISE_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js \
    WINTAP_NOISE_DATA_ROOTS=/data:/scratch \
    WINTAP_NOISE_OUTPUT_ROOT=/data/runs \
    WINTAP_NOISE_DUCKDB_TEMP_DIR=/scratch/duckdb-tmp \
    WINTAP_NOISE_LOG_FORMAT=json

# SIGTERM (docker stop, scale-down) stops the worker cleanly: running activities are cancelled and
# retried on another worker. Node runs as PID 1 behind compose's `init: true`.
CMD ["node", "--import", "tsx", "workers/main.ts"]
