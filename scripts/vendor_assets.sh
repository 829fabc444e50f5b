#!/usr/bin/env bash
# Re-fetch the vendored front-end assets from the npm registry (needs npm; the site does not).
# Each line: package version  files-to-copy...  Licence and NOTICE files are always copied.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=web/static/web/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch() {
  local package=$1 version=$2; shift 2
  local dir="$dest/$package-$version"
  (cd "$work" && npm pack --silent "$package@$version" >/dev/null)
  local tgz
  tgz=$(ls "$work"/*.tgz)
  local expected actual
  expected=$(npm view "$package@$version" dist.integrity)
  actual="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  [ "$expected" = "$actual" ] || { echo "integrity mismatch for $package@$version" >&2; exit 1; }
  mkdir -p "$work/x" "$dir"
  tar xzf "$tgz" -C "$work/x"
  for file in "$@"; do cp "$work/x/package/$file" "$dir/"; done
  cp "$work/x/package/"LICENSE* "$dir/"
  # Apache-2.0 packages (ECharts) ship a NOTICE that must travel with the code.
  for notice in "$work/x/package/"NOTICE*; do
    if [ -e "$notice" ]; then cp "$notice" "$dir/"; fi
  done
  rm -rf "$work/x" "$tgz"
  echo "$package@$version -> $dir"
}
fetch weui 2.6.26 dist/style/weui.min.css
fetch htmx.org 2.0.11 dist/htmx.min.js
fetch echarts 6.1.0 dist/echarts.min.js
