#!/usr/bin/env bash
# Makes sure the system programs the tests start for real are installed: redis-server (the ring
# KV in integration tests and `npm run cluster`), chromium (browser tests of the status pages) and
# promtool (Prometheus's block checker; the Debian package prometheus).
# Installs what is missing with apt-get when run as root on Debian/Ubuntu; otherwise fails with a
# message saying what to install.
set -euo pipefail

# command -> Debian package
declare -A NEEDED=([redis-server]=redis-server [chromium]=chromium [promtool]=prometheus)

missing_pkgs=()
for cmd in "${!NEEDED[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing_pkgs+=("${NEEDED[$cmd]}")
done
[ ${#missing_pkgs[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing_pkgs[*]} with apt-get (needed by the tests)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing_pkgs[@]}" >/dev/null
  # Debian's package may start a service on the default port; the tests start their own.
  if command -v service >/dev/null 2>&1; then
    service redis-server stop >/dev/null 2>&1 || true
    service prometheus stop >/dev/null 2>&1 || true
  fi
  exit 0
fi

echo "The tests need these system packages: ${missing_pkgs[*]}" >&2
echo "Install them, e.g.: sudo apt-get install -y ${missing_pkgs[*]}" >&2
exit 1
