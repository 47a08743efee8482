#!/usr/bin/env bash
# Fuzz front-matter and Markdown parsing with atheris for a bounded time (not part of CI).
# Usage: bash fuzz/run.sh [SECONDS_PER_HARNESS] [HARNESS...]   (default 120 s, both harnesses)
set -uo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-120}"
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(front_matter markdown)

python -m pip install -q --disable-pip-version-check -e '.[fuzz]' || exit 2
mkdir -p fuzz/crashes

status=0
for name in "${harnesses[@]}"; do
  work="fuzz/work/$name"   # inputs libFuzzer found interesting; the seeds stay untouched
  mkdir -p "$work"
  echo "== fuzz_$name: $seconds s (crashes go to fuzz/crashes/$name-*)"
  python "fuzz/fuzz_$name.py" "$work" "fuzz/corpus/$name" \
    -dict="fuzz/$name.dict" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=8192 \
    -artifact_prefix="fuzz/crashes/$name-" -print_final_stats=1 || status=1
done
[ $status = 0 ] && echo "no crash found" || echo "crash inputs are in fuzz/crashes/"
exit $status
