#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), one after another.
#
#   scripts/fuzz.sh            # 10 minutes per target
#   scripts/fuzz.sh 30         # the smoke run .ci/run does
#   scripts/fuzz.sh 60 markdown config   # only these targets
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). Runs on the stable
# toolchain without a sanitizer (`--sanitizer none`): the code under test is
# safe Rust, and libFuzzer still finds panics, hangs (-timeout, seconds per
# input) and memory blow-ups (-rss_limit_mb). Seeds come from content/,
# tests/fixtures/ and ../shared/corpus/ (copied into fuzz/corpus/, which
# git ignores). A crash leaves its input in fuzz/artifacts/TARGET/ and makes
# this script exit non-zero; turn each one into a regression test
# (tests/fuzz_regressions.rs).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(frontmatter inference markdown config)
fi

seed() {
  local target="$1"
  local dir="fuzz/corpus/$target"
  mkdir -p "$dir"
  local sources=()
  if [ "$target" = config ]; then
    while IFS= read -r -d '' f; do sources+=("$f"); done \
      < <(find content tests/fixtures -name '*.toml' -print0)
  else
    while IFS= read -r -d '' f; do sources+=("$f"); done \
      < <(find content tests/fixtures ../shared/corpus -type f -name '*.md' -size -256k -print0 2>/dev/null)
  fi
  for f in "${sources[@]}"; do
    # Name seeds by content so reruns do not duplicate them.
    cp -n "$f" "$dir/seed-$(sha1sum "$f" | cut -c1-16)"
  done
}

cargo fuzz build --sanitizer none -O
mkdir -p fuzz/logs
for target in "${targets[@]}"; do
  seed "$target"
  echo "fuzzing $target for ${seconds}s"
  log="fuzz/logs/$target.log"
  if ! cargo fuzz run --sanitizer none -O "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -timeout=1 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "fuzz target $target failed; the input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^#[0-9]+ +DONE' "$log" || true
done
echo "fuzzing done: ${targets[*]}, ${seconds}s each, no crash"
