#!/usr/bin/env bash
# The one command that runs every check and test of ward on a fresh Debian machine with the
# Rust toolchain. It installs what the tests need, then runs: rustfmt, clippy, the whole test
# suite, rustdoc, cargo-deny, and a short fuzz run of every fuzz target.
#
# Builds go to $WARD_TARGET_DIR (default: ~/.cache/ward/target), outside the checkout, so a
# second run on the same machine is incremental; a cold run works the same way.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR=${WARD_TARGET_DIR:-$HOME/.cache/ward/target}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
fuzz_seconds=${WARD_FUZZ_SECONDS:-20}

step() { printf '\n== %s\n' "$*"; }

step "tools"
# xmllint validates the JUnit exporter's output against the JUnit XSD.
if ! command -v xmllint >/dev/null; then
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    $sudo_cmd apt-get install -y -qq libxml2-utils
fi
command -v cargo-deny >/dev/null || cargo install cargo-deny --locked
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

# --- PostgreSQL for the store tests (issue 6) -------------------------------------------------
# The store conformance suite runs on SQLite always and on PostgreSQL when
# WARD_TEST_POSTGRES_URL is set: install Debian's server, make sure a cluster runs, create the
# `ward` role, and point the tests at it. Each step is skipped when already done.
step "postgresql"
if [ -z "${WARD_TEST_POSTGRES_URL:-}" ]; then
    pg_sudo=""
    [ "$(id -u)" -eq 0 ] || pg_sudo="sudo"
    if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        $pg_sudo apt-get update -qq
        $pg_sudo apt-get install -y -qq postgresql
    fi
    pg_version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    if ! pg_lsclusters -h | awk -v v="$pg_version" '$1 == v && $2 == "main"' | grep -q .; then
        $pg_sudo pg_createcluster "$pg_version" main
    fi
    if ! pg_lsclusters -h | awk -v v="$pg_version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
        $pg_sudo pg_ctlcluster "$pg_version" main start
    fi
    pg_port=$(pg_lsclusters -h | awk -v v="$pg_version" '$1 == v && $2 == "main" {print $3}')
    as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
    if ! as_postgres "psql -p $pg_port -tAc \"SELECT 1 FROM pg_roles WHERE rolname = 'ward'\"" | grep -q 1; then
        as_postgres "psql -p $pg_port -c \"CREATE ROLE ward LOGIN SUPERUSER PASSWORD 'ward'\""
    fi
    export WARD_TEST_POSTGRES_URL="postgres://ward:ward@127.0.0.1:$pg_port/postgres"
fi
# --- end PostgreSQL ---------------------------------------------------------------------------

# --- Clients of the server's DefectDojo-compatible API (issue 6) -------------------------------
# ward-cli's server tests drive `ward serve` with DefectDojo's generated Python client (PyPI
# defectdojo-api-generated, in a virtualenv beside the builds) and with curl, as GitLab jobs do.
# WARD_TEST_DEFECTDOJO_CLIENT=1 makes a missing client a test failure rather than a skip.
step "defectdojo client"
dojo_venv="$CARGO_TARGET_DIR/defectdojo-client"
if ! "$dojo_venv/bin/python3" -c "import defectdojo_api_generated" 2>/dev/null; then
    if ! python3 -m venv "$dojo_venv" 2>/dev/null; then
        venv_sudo=""
        [ "$(id -u)" -eq 0 ] || venv_sudo="sudo"
        $venv_sudo apt-get update -qq
        $venv_sudo apt-get install -y -qq python3-venv
        python3 -m venv "$dojo_venv"
    fi
    "$dojo_venv/bin/pip" install --quiet "defectdojo-api-generated==2.57.2.post1"
fi
if ! command -v curl >/dev/null; then
    curl_sudo=""
    [ "$(id -u)" -eq 0 ] || curl_sudo="sudo"
    $curl_sudo apt-get install -y -qq curl
fi
export PATH="$dojo_venv/bin:$PATH"
export WARD_TEST_DEFECTDOJO_CLIENT=1
# --- end DefectDojo client ------------------------------------------------------------------------

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings

step "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

step "cargo deny"
cargo deny --log-level error check licenses bans sources

step "fuzz targets (${fuzz_seconds}s each)"
CARGO_TARGET_DIR="$CARGO_TARGET_DIR/fuzz" scripts/fuzz.sh "$fuzz_seconds"

step "cargo test"
cargo test --workspace --all-features --locked
