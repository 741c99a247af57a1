#!/usr/bin/env bash
# kallsyms-lab decode against kallsyms-finder (vmlinux-to-elf) on the same kernel images,
# side by side: the two tools alternate, one run each per round, the first tool changing from
# round to round, so that a machine whose speed drifts slows both alike. Prints, per image,
# the median wall time, CPU time (user + system, decompressor children included) and peak
# RSS of each tool, their ratio, the load average at each run, and whether both printed the
# same lines (and, with EXPECTED, whether kallsyms-lab's output equals it byte for byte).
#
#   scripts/images-side-by-side.sh [-n ROUNDS] [-l LAB] [-o DIR] IMAGE[=EXPECTED]...
#
# Needs GNU time (/usr/bin/time) and kallsyms-finder on PATH (pip install vmlinux-to-elf);
# LAB defaults to .build/release/kallsyms-lab (swift build -c release). Every single run is
# kept in DIR/runs.tsv (tool, image, round, wall s, user s, system s, max RSS KB, load).
# Example, the Debian images of docs/images.md:
#   scripts/images-side-by-side.sh -n 7 \
#     Tests/Corpus/armhf-armmp-6.1.176/vmlinuz=Tests/Corpus/armhf-armmp-6.1.176/vmlinux-tables/decoded.txt \
#     /tmp/deb/arm64/boot/vmlinuz-6.1.0-50-arm64 /tmp/deb/amd64/boot/vmlinuz-6.1.0-50-amd64
set -euo pipefail
rounds=5
lab=.build/release/kallsyms-lab
out=$(mktemp -d /tmp/side-by-side.XXXXXX)
while getopts "n:l:o:" option; do
  case $option in
    n) rounds=$OPTARG ;;
    l) lab=$OPTARG ;;
    o) out=$OPTARG; mkdir -p "$out" ;;
    *) sed -n '2,18p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { sed -n '2,18p' "$0" >&2; exit 2; }
[ -x "$lab" ] || { echo "no $lab: run swift build -c release" >&2; exit 2; }
command -v kallsyms-finder >/dev/null || { echo "kallsyms-finder not on PATH (pip install vmlinux-to-elf)" >&2; exit 2; }

runs="$out/runs.tsv"
printf 'tool\timage\tround\twall_s\tuser_s\tsystem_s\tmax_rss_kb\tload1\n' > "$runs"

# run TOOL IMAGE ROUND: one timed run, output in $out/TOOL-NAME.txt
run() {
  local tool=$1 image=$2 round=$3 name
  name=$(basename "$image")
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  if [ "$tool" = lab ]; then
    /usr/bin/time -f '%e\t%U\t%S\t%M' -o "$out/time" "$lab" decode "$image" > "$out/lab-$name.txt" || true
  else
    /usr/bin/time -f '%e\t%U\t%S\t%M' -o "$out/time" kallsyms-finder "$image" > "$out/finder-$name.txt" 2> /dev/null || true
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$tool" "$name" "$round" "$(tail -1 "$out/time")" "$load" >> "$runs"
}

for spec in "$@"; do
  image=${spec%%=*}
  for round in $(seq "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then run lab "$image" "$round"; run finder "$image" "$round"
    else run finder "$image" "$round"; run lab "$image" "$round"; fi
  done
done

# median of the numbers on standard input
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column() { awk -F'\t' -v t="$1" -v i="$2" -v c="$3" '$1 == t && $2 == i { print $c }' "$runs"; }

# GNU time's peak RSS of kallsyms-lab is the larger of its own and its decompressor's (the
# kernel keeps the maximum over a process and the children it waited for, not their sum).
# So the decompressor's own peak is measured too, on the same payload bytes, alone: adding
# the two bounds what the pair held at once.
declare -A decompressor_rss
for spec in "$@"; do
  image=${spec%%=*}
  name=$(basename "$image")
  detected=$("$lab" decode --json "$image" 2>/dev/null | head -c 2000 || true)
  compression=$(printf '%s' "$detected" | sed -n 's/.*"compression":"\([a-z0-9]*\)".*/\1/p')
  [ -n "$compression" ] || continue
  offset=$(printf '%s' "$detected" | sed -n 's/.*"payloadOffset":\([0-9]*\).*/\1/p')
  # As far as the end of the last table (kallsyms-lab reads up to 1 MiB more before it stops the decompressor).
  bytes=$(printf '%s' "$detected" | grep -o '"offset":[0-9]*,"size":[0-9]*' | awk -F'[:,]' '{ e = $2 + $4; if (e > m) m = e } END { print m }')
  case $compression in
    gzip) program="gzip -dc" ;; xz) program="xz -dc --single-stream" ;; lzma) program="xz -dc --format=lzma" ;;
    zstd) program="zstd -dcq" ;; lz4) program="lz4 -dc" ;; lzo) program="lzop -dc" ;; bzip2) program="bzip2 -dc" ;;
  esac
  /usr/bin/time -f '%M' -o "$out/time" sh -c "tail -c +$((offset + 1)) '$image' | $program 2>/dev/null | head -c $bytes > /dev/null" || true
  decompressor_rss[$name]="$compression: $(tail -1 "$out/time" | awk '{ printf "%.0f MB", $1 / 1000 }') for $bytes bytes"
done

printf '| image | symbols | kallsyms-lab wall / CPU / peak RSS | kallsyms-finder wall / CPU / peak RSS | wall ratio | RSS ratio | load (min–max) | same lines | = expected | decompressor alone |\n'
printf '|---|---:|---|---|---:|---:|---|---|---|---|\n'
for spec in "$@"; do
  image=${spec%%=*}
  expected=
  [ "$spec" != "$image" ] && expected=${spec#*=}
  name=$(basename "$image")
  for tool in lab finder; do
    wall=$(column "$tool" "$name" 4 | median)
    cpu=$(awk -F'\t' -v t="$tool" -v i="$name" '$1 == t && $2 == i { print $5 + $6 }' "$runs" | median)
    rss=$(column "$tool" "$name" 7 | median)
    eval "${tool}_wall=$wall ${tool}_cpu=$cpu ${tool}_rss=$rss"
  done
  loads=$(column lab "$name" 8; column finder "$name" 8)
  load_range="$(printf '%s\n' "$loads" | sort -g | head -1)–$(printf '%s\n' "$loads" | sort -g | tail -1)"
  symbols=$(wc -l < "$out/lab-$name.txt")
  same=no
  cmp -s <(sort "$out/lab-$name.txt") <(sort "$out/finder-$name.txt") && same=yes
  exact=—
  if [ -n "$expected" ]; then exact=no; cmp -s "$out/lab-$name.txt" "$expected" && exact=yes; fi
  printf '| %s | %s | %.2f s / %.2f s / %.0f MB | %.2f s / %.2f s / %.0f MB | %.1f× | %.0f %% | %s | %s | %s | %s |\n' \
    "$name" "$symbols" "$lab_wall" "$lab_cpu" "$(echo "$lab_rss / 1000" | bc -l)" \
    "$finder_wall" "$finder_cpu" "$(echo "$finder_rss / 1000" | bc -l)" \
    "$(echo "$finder_wall / $lab_wall" | bc -l)" "$(echo "100 * $lab_rss / $finder_rss" | bc -l)" \
    "$load_range" "$same" "$exact" "${decompressor_rss[$name]:-—}"
done
echo "($rounds rounds per image, medians; every run in $runs)"
