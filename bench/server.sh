#!/usr/bin/env bash
# Server benchmark (issue 6), end to end over HTTP on loopback, on SQLite and (when
# WARD_TEST_POSTGRES_URL names a server) PostgreSQL:
#   1. seed: STORED findings in product `bench` (Trivy reports of 100,000 findings each,
#      uploaded into engagements seed-0, seed-1, …);
#   2. import: a REPORT-finding Trivy report, nine tenths already stored, into engagement
#      `main` (native route, then DefectDojo's reimport-scan of the same report: unchanged);
#   3. query: a filtered page of 50 findings (`severity=critical&status=open`) under 50
#      concurrent connections for 20 s with wrk; its latency percentiles.
# Reports are made by bench/gen_large.py from a corpus Trivy report (real field shapes), its
# vulnerabilities trimmed to two references and 200-character descriptions (about 1 KB of JSON
# each) so that a million stored findings fit a small disk. Each backend's data is deleted
# after its run.
#
# usage: bench/server.sh [STORED] [REPORT]     (defaults 1000000 100000)
# WARD_BENCH_BACKENDS="sqlite postgres" picks the backends; WARD_BENCH_KEEP=1 keeps each
# backend's data (data dir, and the ward_bench database) for bench/page.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

stored=${1:-1000000}
report=${2:-100000}
batch=100000
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-${WARD_TARGET_DIR:-$HOME/.cache/ward/target}}
dir=${WARD_BENCH_DIR:-/tmp/ward-bench-server}
per_copy=5 # findings per copy of the source report
mkdir -p "$dir"
source_report="$dir/source.json"
python3 - tests/data/corpus/trivy/scheme_2_many_vulns.json "$source_report" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for result in doc["Results"]:
    for v in result.get("Vulnerabilities") or []:
        v["References"] = v.get("References", [])[:2]
        v["Description"] = v.get("Description", "")[:200]
json.dump(doc, open(sys.argv[2], "w"), indent=2)
PY
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 2; }

cargo build --release --quiet -p ward-cli
# A copy: a shared target directory may get another branch's build meanwhile.
cp "$CARGO_TARGET_DIR/release/ward" "$dir/ward"
ward=$dir/ward

# The measured report: copies [first, first + report/5), 90% of them among the stored ones.
known=$((report * 9 / 10))
first_copy=$(((stored - known) / per_copy))
measured="$dir/report-$report-of-$stored.json"
rm -f "$measured"
[ -f "$measured" ] || python3 bench/gen_large.py trivy "$source_report" "$measured" \
    --findings "$report" --first-copy "$first_copy"
echo "measured report: $(du -m "$measured" | cut -f1) MB, $report findings, $known already stored"

seconds() { awk -v s="$1" 'BEGIN { printf "%.2f s", s }'; }

run() { # name, store flags...
    local name=$1; shift
    local data="$dir/data-$name"
    rm -rf "$data"
    local key
    key=$("$ward" admin key create --scope admin --data-dir "$data" "$@")
    local log="$dir/serve-$name.log"
    RUST_LOG=warn "$ward" serve --listen 127.0.0.1:0 --data-dir "$data" "$@" \
        --max-report-size 1073741824 2>"$log" &
    local pid=$!
    local url
    url=$(served_url "$log" "$pid")
    echo "== $name ($url)"

    local seeded=0 copy=0 t
    local seed_times=()
    while [ "$seeded" -lt "$stored" ]; do
        local n=$((stored - seeded < batch ? stored - seeded : batch))
        local seed="$dir/seed.json"
        python3 bench/gen_large.py trivy "$source_report" "$seed" --findings "$n" --first-copy "$copy"
        t=$(curl -sS -o /dev/null -w '%{time_total}' --fail-with-body -X POST \
            -H "Authorization: Bearer $key" --data-binary "@$seed" \
            "$url/api/v1/products/bench/engagements/seed-$((seeded / batch))/imports?mode=import&auto_create=true")
        seed_times+=("$t")
        seeded=$((seeded + n))
        copy=$((copy + n / per_copy))
    done
    rm -f "$dir/seed.json"
    echo "seed: $stored findings in ${#seed_times[@]} imports of up to $batch, each $(printf '%s ' "${seed_times[@]}")s"

    t=$(curl -sS -o "$dir/reply.json" -w '%{time_total}' --fail-with-body -X POST \
        -H "Authorization: Bearer $key" --data-binary "@$measured" \
        "$url/api/v1/products/bench/engagements/main/imports?mode=import&auto_create=true")
    echo "import $report findings ($known known) into $stored: $(seconds "$t") $(python3 -c \
        'import json,sys; r=json.load(open(sys.argv[1])); print({k: r[k] for k in ("new","unchanged","closed")})' "$dir/reply.json")"
    t=$(curl -sS -o "$dir/reply.json" -w '%{time_total}' --fail-with-body -X POST \
        -H "Authorization: Token $key" -F "scan_type=Trivy Scan" -F "file=@$measured" \
        -F product_name=bench -F engagement_name=main "$url/api/v2/reimport-scan/")
    echo "reimport-scan (DefectDojo route, unchanged): $(seconds "$t")"

    local query="$url/api/v1/findings?product=bench&severity=critical&status=open&limit=50"
    curl -sS --fail-with-body -H "Authorization: Bearer $key" "$query" -o "$dir/page.json"
    echo "page: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$dir/page.json") findings"
    wrk -t2 -c50 -d20s --latency -H "Authorization: Bearer $key" "$query" | sed -n '/Latency Distribution/,/Requests\/sec/p'

    kill -TERM "$pid"
    wait "$pid" || true
    echo "store size: $(du -sh "$data" | cut -f1) (data dir)"
    [ -n "${WARD_BENCH_KEEP:-}" ] || rm -rf "$data"
}

backends=${WARD_BENCH_BACKENDS:-sqlite postgres}
case " $backends " in *" sqlite "*) run sqlite ;; esac
case " $backends " in *" postgres "*)
    if [ -n "${WARD_TEST_POSTGRES_URL:-}" ]; then
        admin_url=$WARD_TEST_POSTGRES_URL
        psql "$admin_url" -qc "DROP DATABASE IF EXISTS ward_bench WITH (FORCE)" -qc "CREATE DATABASE ward_bench"
        run postgres --database "${admin_url%/*}/ward_bench"
        [ -n "${WARD_BENCH_KEEP:-}" ] || psql "$admin_url" -qc "DROP DATABASE IF EXISTS ward_bench WITH (FORCE)"
    else
        echo "postgres: skipped (set WARD_TEST_POSTGRES_URL)"
    fi ;;
esac
