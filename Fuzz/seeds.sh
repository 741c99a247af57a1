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
  FuzzImage)
    # Small v6.1-layout images (offsets, relative_base, num_syms, names, markers, token_table,
    # token_index) cut from the armhf tables: the first COUNT symbols, in both byte orders.
    for count in 3 300 700; do
      for order in little big; do
        python3 - "$count" "$order" "$dir/armhf-$count-$order" <<'PY'
import struct, sys
count, order, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
e = '<' if order == 'little' else '>'
base = 'Tests/Corpus/armhf-armmp-6.1.176/vmlinux-tables/'
blob = lambda name: open(base + name + '.bin', 'rb').read()
names, offset, markers = blob('kallsyms_names'), 0, []
for k in range(count):
    if k % 256 == 0: markers.append(offset)
    length = names[offset]; prefix = 1
    if length & 0x80: length = (length & 0x7f) | names[offset + 1] << 7; prefix = 2
    offset += prefix + length
pad = lambda b: b + b'\0' * (-len(b) % 4)
offsets = struct.unpack('<%dI' % count, blob('kallsyms_offsets')[:4 * count])
index = struct.unpack('<256H', blob('kallsyms_token_index'))
image = b'\x55' * 64 + struct.pack(e + '%dI' % count, *offsets) + struct.pack(e + 'I', 0xc0300000)
image += struct.pack(e + 'I', count) + pad(names[:offset]) + struct.pack(e + '%dI' % len(markers), *markers)
image += pad(blob('kallsyms_token_table')) + struct.pack(e + '256H', *index) + b'\xaa' * 64
open(out, 'wb').write(image)
PY
      done
    done ;;
  FuzzPassConvergence)
    # One input per era with the default layout decisions (Harness/PassConvergenceInput.swift).
    for era in 0 1 2 3 4; do printf "\\$(printf '%03o' "$era")" > "$dir/era-$era"; done ;;
  *) echo "unknown fuzz target $target" >&2; exit 2 ;;
esac
