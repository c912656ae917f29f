#!/usr/bin/env bash
# The filtered findings page of bench/server.sh, measured three ways against a store that
# bench/server.sh left behind (WARD_BENCH_KEEP=1):
#   1. cost: CPU time per request of the ward process and of PostgreSQL's processes (from
#      /proc), under 4 connections for 10 s: independent of what else the machine runs;
#   2. saturation: 50 connections sending back to back for 20 s (wrk -c50): latency is then
#      queueing, 50 / throughput on average;
#   3. paced: 50 connections, each waiting PACE_MS (default 25 ms) after each answer before
#      its next request (wrk's `delay` hook): 50 clients at up to 2,000 requests/s together.
# Also the dashboard's overview and findings pages (server-side render time, one at a time).
#
# usage: bench/page.sh sqlite|postgres      (WARD_TEST_POSTGRES_URL names the server)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
backend=${1:?sqlite or postgres}
dir=${WARD_BENCH_DIR:-/tmp/ward-bench-server}
pace=${PACE_MS:-25}
ward=$dir/ward
data=$dir/data-$backend
[ -x "$ward" ] && [ -d "$data" ] || { echo "run WARD_BENCH_KEEP=1 bench/server.sh first" >&2; exit 2; }
flags=()
if [ "$backend" = postgres ]; then
    flags=(--database "${WARD_TEST_POSTGRES_URL%/*}/ward_bench")
fi
key=$("$ward" admin key create --scope admin --data-dir "$data" "${flags[@]}")
log=$dir/page-$backend.log
RUST_LOG=warn "$ward" serve --listen 127.0.0.1:0 --no-worker --data-dir "$data" "${flags[@]}" 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
url=$(served_url "$log" "$pid")
query="$url/api/v1/findings?product=bench&severity=critical&status=open&limit=50"
curl -sS --fail-with-body -o /dev/null -H "Authorization: Bearer $key" "$query"

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pg_ticks() {
    local total=0 p
    for p in $(pgrep -u postgres || true); do
        total=$((total + $(ticks "$p" 2>/dev/null || echo 0)))
    done
    echo "$total"
}
hz=$(getconf CLK_TCK)
w0=$(ticks "$pid"); p0=$(pg_ticks)
n=$(wrk -t1 -c4 -d10s -H "Authorization: Bearer $key" "$query" | awk '/requests in/ {print $1}')
w1=$(ticks "$pid"); p1=$(pg_ticks)
echo "cost per request ($n requests): ward $(( (w1 - w0) * 1000000 / hz / n )) µs CPU," \
    "postgres $(( (p1 - p0) * 1000000 / hz / n )) µs CPU (0 on SQLite: in ward's process)"
echo "saturation, 50 connections back to back:"
wrk -t2 -c50 -d20s --latency -H "Authorization: Bearer $key" "$query" |
    sed -n '/Latency Distribution/,/Requests\/sec/p'
echo "paced, 50 connections, ${pace} ms between an answer and the next request:"
script=$(mktemp --suffix=.lua)
printf 'function delay()\n  return %s\nend\n' "$pace" >"$script"
wrk -t2 -c50 -d20s --latency -s "$script" -H "Authorization: Bearer $key" "$query" |
    sed -n '/Latency Distribution/,/Requests\/sec/p'
rm -f "$script"

# Dashboard pages: their answer times, median of 11.
time_pages dashboard "$url" "$key" "/" "/findings?product=bench&severity=critical&status=open"
