#!/usr/bin/env bash
# Debian packages the tests and the demo need. Installs only what is missing, and only as root; otherwise
# names what to install. Used by `npm test`/`npm start` (pre-hooks) and by .ci/run.
set -euo pipefail
purpose=${1:-test}
packages=(docker-registry apache2-utils tinyproxy microsocks stunnel4 openssl skopeo time neovim chromium ripgrep libkrb5-dev build-essential pkg-config python3 fonts-dejavu-core curl)
[ "$purpose" = start ] && packages=(docker-registry openssl ripgrep libkrb5-dev build-essential pkg-config python3 curl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "tagline: missing Debian packages: ${missing[*]}" >&2
  echo "tagline: install them with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "tagline: installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq -o Acquire::Retries=3
apt-get install -y -qq -o Acquire::Retries=3 --no-install-recommends "${missing[@]}" >/dev/null
