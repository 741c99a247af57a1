#!/usr/bin/env bash
# Builds libFuzzer targets with coverage and AddressSanitizer, one fresh scratch path per target:
#   Fuzz/build.sh [TARGET…]        (every target when none is named)
# Then checks that each binary really carries coverage counters: a fuzzer built without them
# "finds nothing" and exits 0, so a build that does not print
# "INFO: Loaded 1 modules (N inline 8-bit counters)" with N > 0 fails here.
set -euo pipefail
cd "$(dirname "$0")/.."
all_targets=(FuzzRoundTrip FuzzDecode FuzzImage FuzzPassConvergence)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
export SWIFT_BACKTRACE=enable=no  # Swift's crash handler otherwise produces false ASan reports
for target in "${targets[@]}"; do
  case " ${all_targets[*]} " in *" $target "*) ;; *) echo "unknown fuzz target $target (known: ${all_targets[*]})" >&2; exit 2;; esac
  scratch=".build-fuzz-$target"
  echo "== building $target in $scratch"
  swift build -c release --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
    --product "$target" --scratch-path "$scratch"
  binary="$scratch/release/$target"
  # -runs=0 only loads the corpus (none here), runs the empty input and prints libFuzzer's
  # start-up lines; a finding on the empty input (FuzzPassConvergence has one) goes to a
  # scratch folder, not into the current directory.
  artifacts=$(mktemp -d)
  info=$("$binary" -runs=0 -artifact_prefix="$artifacts/" 2>&1 || true)
  rm -rf "$artifacts"
  counters=$(printf '%s\n' "$info" | sed -n 's/^INFO: Loaded 1 modules *(\([0-9][0-9]*\) inline 8-bit counters).*/\1/p' | head -1)
  if [ -z "$counters" ] || [ "$counters" -eq 0 ]; then
    echo "$target: no coverage counters; libFuzzer said:" >&2
    printf '%s\n' "$info" | head -20 >&2
    exit 1
  fi
  echo "$target: ok, $counters inline 8-bit counters ($binary)"
done
