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
