#!/usr/bin/env bash
# Regenerates console/src/api/schema.d.ts from the OpenAPI document of a freshly built server
# (a throwaway SQLite database, a free port). Run after changing a DTO or a route the console uses.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.build.json
DATA=$(mktemp -d)
PORT=${CONSOLE_API_PORT:-18765}
DATA_DIR=$DATA PORT=$PORT JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
  LOG_LEVEL=error node dist/src/main.js &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fsS "http://127.0.0.1:$PORT/docs-json" >"$DATA/openapi.json"
npx openapi-typescript "$DATA/openapi.json" -o console/src/api/schema.d.ts
npx prettier --write console/src/api/schema.d.ts >/dev/null
