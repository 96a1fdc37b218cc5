#!/usr/bin/env bash
# prereqs: install the system packages `make dev` and `make test` need that this machine lacks —
# Debian's chromium (headless browser tests), a Java 17+ runtime (DynamoDB Local), zip (function
# packages), Node.js and npm (the local tools). It installs with apt-get as root or through
# password-less sudo; otherwise it stops with the one command to run. With everything present it
# prints nothing and takes a few milliseconds.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
  missing+=(openjdk-17-jre-headless)
fi
command -v zip >/dev/null 2>&1 || missing+=(zip)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0

install="apt-get install -y -qq --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo"
else
  echo "make prereqs: this machine lacks ${missing[*]}; install them with: sudo apt-get update && sudo $install" >&2
  exit 1
fi
echo "make prereqs: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo $install
