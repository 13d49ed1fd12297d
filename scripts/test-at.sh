#!/usr/bin/env bash
# Runs the tests with the clock of the test processes set to another moment, which then goes on
# ticking: `scripts/test-at.sh '2026-11-27 17:57:40'` (a Friday, just before business hours end).
# Anything that reads the wall clock (an SLA's remaining time counts business hours only; monthly
# figures; retention) must pass at any time of day, week and year, not only when CI happens to run.
# Needs Debian's faketime. redis-server runs on the real clock (libfaketime stalls it); Go programs
# (Alertmanager) and Chromium ignore or trip over the faked clock, so their two test files are left
# out. Extra arguments go to vitest.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 'YYYY-MM-DD HH:MM:SS' [vitest arguments]" >&2; exit 2; }
at=$1
shift
command -v faketime >/dev/null || { echo "needs faketime: apt-get install -y faketime" >&2; exit 1; }
real_redis=$(command -v redis-server || echo /usr/bin/redis-server)
wrap=$(mktemp -d)
trap 'rm -rf "$wrap"' EXIT
cat >"$wrap/redis-server" <<SH
#!/bin/sh
exec env -u LD_PRELOAD -u FAKETIME -u FAKETIME_DONT_FAKE_MONOTONIC "$real_redis" "\$@"
SH
chmod +x "$wrap/redis-server"
cd "$(dirname "$0")/.."
REDIS_SERVER_BIN="$wrap/redis-server" FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "@$at" \
  npx vitest run \
  --exclude tests/integration/alertmanager-resync.test.ts \
  --exclude tests/integration/triage-page.test.ts \
  "$@"
