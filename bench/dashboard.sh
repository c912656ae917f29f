#!/usr/bin/env bash
# Dashboard benchmark (issue 10): PRODUCTS products of PER_PRODUCT findings (defaults 200 and
# 5,000: a million findings), seeded through the store by the seed_dashboard_* examples with a
# year of history (first imports spread over the year, reimports that close a tenth, risk
# acceptances, most of them ended), then each page's answer time in `ward serve` (server
# render plus loopback; signed in with an API key), median of 11, on SQLite and, when
# WARD_TEST_POSTGRES_URL names a server, PostgreSQL (database ward_dashboard, dropped after).
#
# usage: bench/dashboard.sh [PRODUCTS] [PER_PRODUCT]
# WARD_BENCH_KEEP=1 keeps the seeded stores; WARD_BENCH_REUSE=1 measures kept ones again.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
products=${1:-200}
per_product=${2:-5000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-${WARD_TARGET_DIR:-$HOME/.cache/ward/target}}
dir=${WARD_BENCH_DIR:-/tmp/ward-bench-dashboard}
mkdir -p "$dir"

cargo build --release --quiet -p ward-cli
cargo build --release --quiet -p ward-store-sqlite --example seed_dashboard_sqlite
cargo build --release --quiet -p ward-store-postgres --example seed_dashboard_postgres
cp "$CARGO_TARGET_DIR/release/ward" "$dir/ward"
ward=$dir/ward
examples=$CARGO_TARGET_DIR/release/examples

measure() { # name, store flags...
    local name=$1; shift
    local data=$dir/data-$name
    local key log pid url
    key=$("$ward" admin key create --scope admin --data-dir "$data" "$@")
    log=$dir/serve-$name.log
    RUST_LOG=warn "$ward" serve --listen 127.0.0.1:0 --no-worker --data-dir "$data" "$@" 2>"$log" &
    pid=$!
    url=$(served_url "$log" "$pid")
    time_pages "$name" "$url" "$key" "/" "/?days=365" "/findings?severity=critical&status=open" \
        "/findings?product=product-007&status=open&sla=breached" \
        "/findings?q=injection&status=open" "/products/8"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
}

reuse=${WARD_BENCH_REUSE:-}
if [ -z "$reuse" ] || [ ! -d "$dir/data-sqlite" ]; then
    rm -rf "$dir/data-sqlite"
    "$examples/seed_dashboard_sqlite" "$dir/data-sqlite" "$products" "$per_product"
fi
measure sqlite
[ -n "${WARD_BENCH_KEEP:-}" ] || rm -rf "$dir/data-sqlite"
if [ -n "${WARD_TEST_POSTGRES_URL:-}" ]; then
    admin_url=$WARD_TEST_POSTGRES_URL
    db_url=${admin_url%/*}/ward_dashboard
    if [ -z "$reuse" ] || ! psql "$db_url" -qc "SELECT 1" >/dev/null 2>&1; then
        psql "$admin_url" -qc "DROP DATABASE IF EXISTS ward_dashboard WITH (FORCE)" \
            -qc "CREATE DATABASE ward_dashboard"
        "$examples/seed_dashboard_postgres" "$db_url" "$products" "$per_product"
        # As autovacuum would after a load of this size.
        psql "$db_url" -qc "VACUUM ANALYZE"
    fi
    measure postgres --database "$db_url"
    [ -n "${WARD_BENCH_KEEP:-}" ] || psql "$admin_url" -qc "DROP DATABASE IF EXISTS ward_dashboard WITH (FORCE)"
else
    echo "postgres: skipped (set WARD_TEST_POSTGRES_URL)"
fi
