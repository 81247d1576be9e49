#!/usr/bin/env bash
# Run before `npm test`: the report browser test drives Debian's chromium through playwright-core
# (no browser download). Installs it when it is missing and this machine can (root or sudo, apt-get).
set -euo pipefail
CHROMIUM="${CHATFUZZ_CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and apt-get is not available; install Chromium and set CHATFUZZ_CHROMIUM" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else
    echo "ensure-chromium: $CHROMIUM is missing; run \`sudo apt-get install -y chromium\`" >&2
    exit 0
  fi
fi
echo "ensure-chromium: installing Debian's chromium for the report browser test…" >&2
# A failed install is not fatal here: the browser test then fails and says what is missing.
{ $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
  || echo "ensure-chromium: apt-get could not install chromium" >&2
