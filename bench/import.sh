#!/usr/bin/env bash
# Import benchmark: a ~1 GB Trivy report and a ~1 GB SARIF report, made by replicating corpus
# findings, through `ward import` (auto-detected and with --format) and through the anchors
# (CPython's json + a minimal mapping, and jq). Prints wall time, MB/s and peak RSS.
#
# usage: bench/import.sh [SIZE_MB]   (default 1000; files are kept in $WARD_BENCH_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1000}
dir=${WARD_BENCH_DIR:-/tmp/ward-bench}
mkdir -p "$dir"
cargo build --release --quiet -p ward-cli
ward=${CARGO_TARGET_DIR:-target}/release/ward

trivy="$dir/trivy-${size}mb.json"
sarif="$dir/sarif-${size}mb.sarif"
[ -f "$trivy" ] || python3 bench/gen_large.py trivy tests/data/corpus/trivy/scheme_2_many_vulns.json "$trivy" "$size"
[ -f "$sarif" ] || python3 bench/gen_large.py sarif tests/data/corpus/sarif/semgrepowasp-benchmark-sample.sarif "$sarif" "$size"

measure() { # name file command...
  local name=$1 file=$2; shift 2
  local bytes; bytes=$(stat -c %s "$file")
  local stats; stats=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$stats" "$@" >/dev/null 2>&1 || echo "($name failed)" >&2
  local out; out=$(tail -n 1 "$stats"); rm -f "$stats"
  local secs=${out% *} kb=${out#* }
  awk -v n="$name" -v b="$bytes" -v s="$secs" -v k="$kb" 'BEGIN {
    printf "| %-38s | %7.0f MB | %6.2f s | %6.0f MB/s | %6.0f MB | %4.2fx |\n", n, b/1e6, s, b/1e6/s, k/1024, k*1024/b }'
}

echo "| run | input | time | throughput | peak RSS | RSS / input |"
echo "|---|---|---|---|---|---|"
for f in "$trivy:trivy" "$sarif:sarif"; do
  file=${f%%:*} kind=${f##*:}
  measure "ward import ($kind, auto-detect)" "$file" "$ward" import "$file" -o /dev/null --quiet
  measure "ward import --format $kind" "$file" "$ward" import --format "$kind" "$file" -o /dev/null --quiet
  measure "anchor: python3 json ($kind)" "$file" python3 bench/anchor_import.py "$kind" "$file"
  measure "anchor: jq length ($kind)" "$file" jq -c 'length' "$file"
done
