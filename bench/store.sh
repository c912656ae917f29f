#!/usr/bin/env bash
# Store import benchmark (issue 6): N findings stored in one product, then a report of M
# findings (nine tenths already stored) imported into a new engagement and reimported
# unchanged, on SQLite and, when WARD_TEST_POSTGRES_URL is set, on PostgreSQL (a fresh
# database, dropped afterwards). Prints each step's time.
#
# usage: bench/store.sh [STORED] [REPORT]     (defaults 1000000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."

stored=${1:-1000000}
report=${2:-100000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-${WARD_TARGET_DIR:-$HOME/.cache/ward/target}}

cargo build --release --quiet -p ward-store-sqlite --example bench_sqlite
cargo build --release --quiet -p ward-store-postgres --example bench_postgres
"$CARGO_TARGET_DIR/release/examples/bench_sqlite" "$stored" "$report"
if [ -n "${WARD_TEST_POSTGRES_URL:-}" ]; then
    "$CARGO_TARGET_DIR/release/examples/bench_postgres" "$stored" "$report"
else
    echo "postgres: skipped (set WARD_TEST_POSTGRES_URL)"
fi
