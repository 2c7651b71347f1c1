#!/usr/bin/env bash
# Refresh trust/sigstore-trusted-root.json, the Sigstore public-good
# trusted root tmon verifies bundles against, from a named version of the
# npm package @sigstore/tuf: its seeds.json holds the TUF repository
# https://tuf-repo-cdn.sigstore.dev with the target trusted_root.json
# (base64).  tmon never fetches trust roots by itself: run this by hand,
# review the diff and commit it.
# Usage: contrib/refresh-sigstore-root.sh VERSION [OUT]
#   VERSION  an exact @sigstore/tuf version (e.g. 4.0.2; no ranges, no
#            "latest": the file must come from a version you name)
#   OUT      where to write (default trust/sigstore-trusted-root.json)
# Prints the package version, the output path and the file's SHA-256.
set -euo pipefail
ver=${1:-}
out=${2:-trust/sigstore-trusted-root.json}
if ! [[ $ver =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	echo "usage: $0 VERSION [OUT] (an exact @sigstore/tuf version)" >&2
	exit 2
fi
command -v npm >/dev/null || { echo "$0: needs npm" >&2; exit 2; }
command -v node >/dev/null || { echo "$0: needs node" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm init -y >/dev/null &&
    npm install --no-audit --no-fund --ignore-scripts --save-exact \
    "@sigstore/tuf@$ver" >/dev/null)
seeds=$tmp/node_modules/@sigstore/tuf/seeds.json
got=$(node -p 'require(process.argv[1]).version' \
    "$tmp/node_modules/@sigstore/tuf/package.json")
[ "$got" = "$ver" ] || { echo "$0: npm installed $got, not $ver" >&2; exit 1; }
node - "$seeds" "$tmp/trusted_root.json" <<'JS'
const fs = require('fs');
const [seeds, dst] = process.argv.slice(2);
const s = JSON.parse(fs.readFileSync(seeds, 'utf8'));
const repo = s['https://tuf-repo-cdn.sigstore.dev'];
if (!repo || !repo.targets || typeof repo.targets['trusted_root.json'] !== 'string')
	throw new Error('seeds.json has no trusted_root.json for tuf-repo-cdn.sigstore.dev');
const b = Buffer.from(repo.targets['trusted_root.json'], 'base64');
const r = JSON.parse(b.toString('utf8'));
if (!/^application\/vnd\.dev\.sigstore\.trustedroot/.test(r.mediaType || ''))
	throw new Error('trusted_root.json has no trusted root mediaType');
fs.writeFileSync(dst, b);
JS
mkdir -p "$(dirname "$out")"
cp "$tmp/trusted_root.json" "$out.tmp"
mv "$out.tmp" "$out"
echo "@sigstore/tuf $ver"
sha256sum "$out"
