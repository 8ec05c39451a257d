#!/usr/bin/env bash
# Whole-build benchmark: wall time and peak memory of `hindsight build` on
# synthetic archives of 1,000, 10,000 and 50,000 postmortems (or the sizes
# given as arguments), each into a fresh output folder, then a no-change
# rebuild into the existing output (the build stamp finds nothing to do),
# then a forced rebuild (`--force`: everything rendered again, only
# changed bytes written) into the same output. Results go to stdout as a Markdown
# table; docs/PERFORMANCE.md records them.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-1000 10000 50000}")
[ $# -eq 0 ] && sizes=(1000 10000 50000)
cargo build --release --quiet --bin hindsight --example synth
bin=target/release/hindsight
work=${BENCH_DIR:-/tmp/hindsight-bench}
mkdir -p "$work"
echo "| postmortems | clean build (s) | peak memory (MB) | ms per postmortem | no-change rebuild (s) | forced rebuild (s) | files rewritten |"
echo "|---|---|---|---|---|---|---|"
outputs=()
for n in "${sizes[@]}"; do
  archive="$work/archive-$n"
  [ -d "$archive/content" ] || target/release/examples/synth "$n" "$archive" 1 2>/dev/null
  out="$work/out-$n-$RANDOM"
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$bin" build --root "$archive" --output "$out" >/dev/null 2>"$work/build.log"
  read -r wall rss < "$work/time.txt"
  /usr/bin/time -f "%e" -o "$work/time.txt" "$bin" build --root "$archive" --output "$out" >/dev/null 2>"$work/rebuild.log"
  read -r rebuild < "$work/time.txt"
  grep -q 'is up to date' "$work/rebuild.log" || rebuild="$rebuild (not up to date!)"
  /usr/bin/time -f "%e" -o "$work/time.txt" "$bin" build --force --root "$archive" --output "$out" >/dev/null 2>"$work/forced.log"
  read -r forced < "$work/time.txt"
  rewritten=$(grep -o '[0-9]* files written' "$work/forced.log" | cut -d' ' -f1 || true)
  per=$(awk -v w="$wall" -v n="$n" 'BEGIN { printf "%.2f", w * 1000 / n }')
  echo "| $n | $wall | $((rss / 1024)) | $per | $rebuild | $forced | ${rewritten:-?} |"
  outputs+=("$out" "$work/.$(basename "$out").stamp")
done
# Removed only now: a large removal right before a build slows that
# build's file creation on this machine (ext4 scans the freed inodes).
rm -rf "${outputs[@]}"
