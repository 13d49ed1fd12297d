#!/usr/bin/env bash
# Installs the Debian packages the tests run for real (never mocked) when they are missing.
# Runs before `npm test`. As root it installs them; otherwise it says what to install and stops.
set -euo pipefail

# binary:package
wanted=(
  "redis-server:redis-server"
  "promtool:prometheus"
  "amtool:prometheus-alertmanager"
  "prometheus:prometheus"
  "prometheus-alertmanager:prometheus-alertmanager"
  "chromium:chromium"
)

missing=()
for pair in "${wanted[@]}"; do
  bin=${pair%%:*}
  pkg=${pair#*:}
  command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/bin/$bin" ] || missing+=("$pkg")
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "The tests need these Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "Installing Debian packages for the tests: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
