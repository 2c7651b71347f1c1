#!/usr/bin/env bash
# Install the Debian (bookworm) packages tmon builds and tests with.
# Skips apt-get when everything is already installed.  Needs root (or sudo).
set -euo pipefail
pkgs=(build-essential cmake pkg-config clang libclang-rt-14-dev
      libsqlite3-dev libcurl4-openssl-dev libssl-dev libsecp256k1-dev libsodium-dev
      libmicrohttpd-dev check libjansson-dev nettle-dev zlib1g-dev curl ca-certificates python3 util-linux
      golang-go golang-golang-x-mod-dev python3-prometheus-client systemd chromium nodejs tzdata openssl)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# the browser tests' npm ci (some nodejs builds bring their own npm)
command -v npm >/dev/null || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends "${missing[@]}"
