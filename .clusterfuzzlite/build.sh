#!/usr/bin/env bash
# Builds every libFuzzer target into $OUT with its seed corpus, for ClusterFuzzLite/OSS-Fuzz.
# Also runs here as a plain script:  OUT=/tmp/fuzz-out .clusterfuzzlite/build.sh
set -euo pipefail
: "${OUT:?set OUT to the folder that receives the fuzz targets}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# In the OSS-Fuzz image this script is copied to $SRC; the project is then $SRC/kallsyms-lab.
if [ -f "$here/../Package.swift" ]; then root="$here/.."; else root="${SRC:-$here}/kallsyms-lab"; fi
cd "$root"
mkdir -p "$OUT"
targets=(FuzzRoundTrip FuzzDecode FuzzPassConvergence)
Fuzz/build.sh "${targets[@]}"   # fails when a target carries no coverage counters
for target in "${targets[@]}"; do
  cp ".build-fuzz-$target/release/$target" "$OUT/$target"
  seeds=$(mktemp -d)
  Fuzz/seeds.sh "$target" "$seeds"
  if command -v zip >/dev/null 2>&1; then
    (cd "$seeds" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
  else
    mkdir -p "$OUT/${target}_seed_corpus" && cp "$seeds"/* "$OUT/${target}_seed_corpus/"
  fi
  rm -rf "$seeds"
  echo "$OUT/$target"
done
