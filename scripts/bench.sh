#!/usr/bin/env bash
# Whole-build benchmark: wall time and peak memory of `hindsight build` on
# synthetic archives of 1,000, 10,000 and 50,000 postmortems (or the sizes
# given as arguments), each into a fresh output folder, then a no-change
# rebuild into the existing output (the build stamp finds nothing to do),
# then a forced rebuild (`--force`: everything rendered again, only
# changed bytes written) into the same output. Results go to stdout as a Markdown
# table; docs/PERFORMANCE.md records them.
#
# On this machine's ext4 (no journal) a build that follows a large
# removal within minutes creates its files far more slowly (the
# allocator skips recently freed inodes one by one), so the outputs (and
# the previous sites the rebuilds keep beside them) are removed only at
# the end, and nothing large should be deleted on the output's file
# system in the minutes before this script runs.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-1000 10000 50000}")
[ $# -eq 0 ] && sizes=(1000 10000 50000)
cargo build --release --quiet --bin hindsight --example synth
bin=target/release/hindsight
work=${BENCH_DIR:-/tmp/hindsight-bench}
mkdir -p "$work"
declare -A out wall rss
for n in "${sizes[@]}"; do
  archive="$work/archive-$n"
  [ -d "$archive/content" ] || target/release/examples/synth "$n" "$archive" 1 2>/dev/null
  out[$n]="$work/out-$n-$RANDOM"
  # The previous build's output flushed first, so that the kernel's
  # writeback of it does not compete with this build for the CPU.
  sync
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$bin" build --root "$archive" --output "${out[$n]}" >/dev/null 2>"$work/build.log"
  read -r "wall[$n]" "rss[$n]" < "$work/time.txt"
done
echo "| postmortems | clean build (s) | peak memory (MB) | ms per postmortem | no-change rebuild (s) | forced rebuild (s) | files rewritten |"
echo "|---|---|---|---|---|---|---|"
outputs=()
for n in "${sizes[@]}"; do
  archive="$work/archive-$n"
  /usr/bin/time -f "%e" -o "$work/time.txt" "$bin" build --root "$archive" --output "${out[$n]}" >/dev/null 2>"$work/rebuild.log"
  read -r rebuild < "$work/time.txt"
  grep -q 'is up to date' "$work/rebuild.log" || rebuild="$rebuild (not up to date!)"
  /usr/bin/time -f "%e" -o "$work/time.txt" "$bin" build --force --root "$archive" --output "${out[$n]}" >/dev/null 2>"$work/forced.log"
  read -r forced < "$work/time.txt"
  rewritten=$(grep -o '[0-9]* files written' "$work/forced.log" | cut -d' ' -f1 || true)
  per=$(awk -v w="${wall[$n]}" -v n="$n" 'BEGIN { printf "%.2f", w * 1000 / n }')
  echo "| $n | ${wall[$n]} | $((rss[$n] / 1024)) | $per | $rebuild | $forced | ${rewritten:-?} |"
  outputs+=("${out[$n]}" "$work/.$(basename "${out[$n]}").stamp" "$work/.$(basename "${out[$n]}").recycle")
done
# Removed only now (see above).
rm -rf "${outputs[@]}"
