#!/usr/bin/env bash
# Writes the seed corpus of a fuzz target, made from Tests/Corpus, into DIR:
#   Fuzz/seeds.sh TARGET DIR
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: Fuzz/seeds.sh TARGET DIR}
dir=${2:?usage: Fuzz/seeds.sh TARGET DIR}
mkdir -p "$dir"
case "$target" in
  FuzzRoundTrip)
    # Each small golden input behind selector bytes for every era and flag choice, with and
    # without the engine comparison (the selector's top bit).
    for map in Tests/Corpus/golden/inputs/*.map; do
      [ "$(wc -c < "$map")" -le 12000 ] || continue
      for selector in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 20 25 30 35 128 133 138 143 148; do
        { printf "\\$(printf '%03o' "$selector")"; cat "$map"; } > "$dir/$(basename "$map").$selector"
      done
    done ;;
  FuzzDecode)
    for file in Tests/Corpus/golden/small/*/*.S; do cp "$file" "$dir/$(echo "$file" | tr / _)"; done
    head -c 4096 Tests/Corpus/armhf-armmp-6.1.176/vmlinux-tables/kallsyms_names.bin > "$dir/names-head" ;;
  *) echo "unknown fuzz target $target" >&2; exit 2 ;;
esac
