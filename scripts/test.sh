#!/usr/bin/env bash
# The project's one test command (`npm test`): prepares what the tests need when it is missing
# (docker.io + a running dockerd, the single-user image, Chromium), then type-checks, lints and runs
# every test — unit, integration against real Docker, and e2e in real Chromium. Nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ]; then
  bash scripts/prepare-test-machine.sh
elif command -v sudo >/dev/null 2>&1; then
  sudo bash scripts/prepare-test-machine.sh
else
  echo "test: not root and no sudo; assuming Docker, the image and Chromium are ready (see scripts/prepare-test-machine.sh)" >&2
fi

[ -d node_modules ] || npm install
npm run --silent build
echo "== typecheck"
npx tsc -p tsconfig.json --noEmit
npx tsc -p renderer/tsconfig.json
npx tsc -p renderer/tsconfig.test.json
echo "== lint"
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check . || true; echo "test: formatting differs; run npm run format" >&2; exit 1; }

mkdir -p .test-artifacts
# Every temporary folder the tests make (data dirs, configs, browser profiles) lives under one root,
# removed when the run ends, whatever the tests leave behind.
TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/teamhub-tests.XXXXXX")
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
status=0
echo "== tests"
npx vitest run --reporter=default --reporter=json --outputFile.json=.test-artifacts/vitest.json || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(".test-artifacts/vitest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
  if (r.numTotalTests === 0) { console.error("test: no test ran"); process.exit(1); }
' || status=1
exit "$status"
