#!/usr/bin/env bash
# Scan queue benchmark (issue 7, BENCHMARKS.md "Scan queue"), on PostgreSQL over loopback:
#   1. request latency: `ward serve --no-worker` answers JOBS sequential POST /api/v1/scans
#      (multipart: the request part and a 150-byte tar.gz with one Python file), one
#      keep-alive connection; median, p99 and max of the client-side times;
#   2. queue overhead: 4 `ward worker` processes are started on the JOBS queued jobs; the time
#      from the first request to the last job succeeded, and from the workers' start.
# There is no no-op job kind: each job is the cheapest real scan, ward's native secrets
# scanner on that tiny archive (unpack into a scratch dir, scan, import the findings into
# the engagement, write the report to the storage folder, complete the job).
#
# PostgreSQL: $WARD_BENCH_POSTGRES_URL, else $WARD_TEST_POSTGRES_URL, else the local cluster
# on port 5432 with the `ward` role scripts/test.sh creates. A fresh database is made and
# dropped afterwards.
#
# With WARD_BENCH_WORKERS_FIRST=1 the workers run from the start, taking jobs while they are
# being queued (the requests then share the cores with them). WARD_BENCH_BIN=PATH uses that
# release `ward` instead of building one.
#
# usage: bench/jobs.sh [JOBS]     (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${1:-1000}
workers=4
base_url=${WARD_BENCH_POSTGRES_URL:-${WARD_TEST_POSTGRES_URL:-postgres://ward:ward@127.0.0.1:5432/postgres}}
out="${TMPDIR:-/tmp}/ward-bench-jobs"
rm -rf "$out"
mkdir -p "$out/bin"

if [ -n "${WARD_BENCH_BIN:-}" ]; then
  cp "$WARD_BENCH_BIN" "$out/bin/ward"
else
  # A target dir shared with other checkouts may hold their builds under the same
  # fingerprints: touch this checkout's sources so cargo rebuilds them, and take this build's
  # executable from cargo's build messages.
  if [ -n "${CARGO_TARGET_DIR:-}" ]; then find crates -name '*.rs' -path '*/src/*' -exec touch {} +; fi
  cargo build --release -p ward-cli --message-format=json \
    | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable"):
        print(m["executable"])' | while read -r exe; do cp "$exe" "$out/bin/"; done
fi
ward="$out/bin/ward"

db="ward_bench_jobs_$$"
url="${base_url%/*}/$db"
psql "$base_url" -qc "CREATE DATABASE $db"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql "$base_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
}
trap cleanup EXIT

export WARD_DATA_DIR="$out/data" WARD_DATABASE_URL="$url" RUST_LOG=warn
key=$("$ward" admin key create --scope import)
"$ward" serve --no-worker --listen 127.0.0.1:0 2>"$out/serve.log" &
pids+=($!)
for _ in $(seq 100); do
  server=$(sed -n 's/^ward: listening on \(http:[^ ]*\).*/\1/p' "$out/serve.log")
  [ -n "$server" ] && break
  sleep 0.1
done
[ -n "$server" ] || { cat "$out/serve.log"; exit 1; }

start_workers() {
  for i in $(seq "$workers"); do
    "$ward" worker --scratch-dir "$out" 2>"$out/worker-$i.log" &
    pids+=($!)
  done
}
[ "${WARD_BENCH_WORKERS_FIRST:-0}" = 1 ] && start_workers
echo "== $jobs jobs, $workers workers, PostgreSQL $(psql "$url" -tAc 'SHOW server_version'), $(nproc) cores"
uptime  # other work on the machine skews the times: note the load with them
start=$(date +%s.%N)
python3 - "$server" "$key" "$jobs" <<'PY'
import http.client, io, json, statistics, sys, tarfile, time, urllib.parse
server, key, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w:gz") as tar:
    data = b"def handler(event):\n    return {'status': 200}\n"
    info = tarfile.TarInfo("app.py"); info.size = len(data)
    tar.addfile(info, io.BytesIO(data))
archive = buf.getvalue()
boundary = "ward-bench-boundary"
request = json.dumps({"scanners": ["secrets"], "product": "bench", "engagement": "queue"})
body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"request\"\r\n"
        f"Content-Type: application/json\r\n\r\n{request}\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"archive\"; filename=\"a.tar.gz\"\r\n"
        f"Content-Type: application/gzip\r\n\r\n").encode() + archive + f"\r\n--{boundary}--\r\n".encode()
headers = {"Authorization": f"Bearer {key}", "Content-Type": f"multipart/form-data; boundary={boundary}"}
host = urllib.parse.urlsplit(server).netloc
conn = http.client.HTTPConnection(host)
times = []
for _ in range(n):
    t = time.perf_counter()
    conn.request("POST", "/api/v1/scans", body=body, headers=headers)
    response = conn.getresponse()
    reply = response.read()
    times.append((time.perf_counter() - t) * 1000)
    if response.status != 202:
        sys.exit(f"POST /api/v1/scans answered {response.status}: {reply[:200]!r}")
times.sort()
p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
print(f"POST /api/v1/scans x{n} ({len(archive)}-byte archive): median {statistics.median(times):.2f} ms, "
      f"p99 {p99:.2f} ms, max {times[-1]:.2f} ms, total {sum(times) / 1000:.2f} s")
PY
queued=$(date +%s.%N)
[ "${WARD_BENCH_WORKERS_FIRST:-0}" = 1 ] || start_workers
while :; do
  counts=$(psql "$url" -tAc "SELECT count(*) FILTER (WHERE state = 'succeeded'), count(*) FILTER (WHERE state = 'failed') FROM jobs")
  done_jobs=${counts%|*}
  failed=${counts#*|}
  [ "$((done_jobs + failed))" -ge "$jobs" ] && break
  sleep 0.05
done
end=$(date +%s.%N)
python3 - "$start" "$queued" "$end" "$jobs" "$done_jobs" "$failed" <<'PY'
import sys
start, queued, end = map(float, sys.argv[1:4])
n, ok, failed = map(int, sys.argv[4:7])
print(f"{ok} succeeded, {failed} failed")
print(f"first request to all done: {end - start:.2f} s ({n / (end - start):.0f} jobs/s); "
      f"last request to all done: {end - queued:.2f} s")
PY
psql "$url" -tAc "SELECT 'jobs per worker: ' || string_agg(n::text, ', ' ORDER BY n DESC) FROM (SELECT count(*) AS n FROM jobs GROUP BY worker) w"
psql "$url" -tAc "SELECT 'attempts > 1: ' || count(*) FROM jobs WHERE attempts > 1"
uptime
