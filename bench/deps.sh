#!/usr/bin/env bash
# Dependency-scanning benchmarks (BENCHMARKS.md, "Dependency scanning"):
#  (a) open the advisory database built from tests/data/advisories and match 10,000 packages;
#  (b) `ward sbom` against `trivy fs --format cyclonedx` on one large tree (default:
#      ~/.cargo/registry/src), warm cache, three runs each, with both component counts, the
#      purls only one of them lists, and where ward's time goes (examples/sbom_phases.rs).
# Usage: bench/deps.sh [TREE]
set -euo pipefail
cd "$(dirname "$0")/.."
tree="${1:-$HOME/.cargo/registry/src}"
target="${CARGO_TARGET_DIR:-target}"
out="${TMPDIR:-/tmp}/ward-bench-deps"
mkdir -p "$out"

# A target dir shared with other checkouts of ward may hold their builds under the same
# fingerprints: touch this checkout's sources so cargo rebuilds them, and take this build's
# own executables from cargo's build messages.
if [ -n "${CARGO_TARGET_DIR:-}" ]; then find crates -name '*.rs' -path '*/src/*' -exec touch {} +; fi
cargo build --release -p ward-cli -p ward-deps --example match_10k --example sbom_phases --message-format=json \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable"):
        print(m["executable"])' | while read -r exe; do cp "$exe" "$out/"; done
mv "$out"/ward-cli* "$out/ward" 2>/dev/null || true
echo "== (a) open + match 10,000 packages"
"$out/match_10k"

echo "== (b) SBOM of $tree"
echo "lockfiles: $(find "$tree" \( -name node_modules -o -name vendor -o -name '.*' \) -prune -o -type f \
  \( -name Cargo.lock -o -name package-lock.json -o -name yarn.lock -o -name pnpm-lock.yaml \
     -o -name 'requirements*.txt' -o -name poetry.lock -o -name Pipfile.lock -o -name uv.lock \
     -o -name go.mod -o -name go.sum -o -name Gemfile.lock -o -name composer.lock -o -name pom.xml \
     -o -name gradle.lockfile -o -name packages.lock.json -o -name pubspec.lock -o -name mix.lock \) -print | wc -l)"
uptime  # other work on the machine skews the times: note the load with them
run3() {
  local label=$1; shift
  for i in 1 2 3; do
    /usr/bin/time -o "$out/time" -f "%e s, %M KB peak RSS" "$@" >/dev/null 2>&1
    echo "$label, run $i: $(cat "$out/time")"
  done
}
find "$tree" -type f -print0 | xargs -0 cat >/dev/null  # warm the page cache
run3 "ward sbom" "$out/ward" sbom "$tree" -q -o "$out/ward.cdx.json"
run3 "trivy fs --format cyclonedx (an SBOM only: trivy needs no database for it)" \
  trivy fs --quiet --format cyclonedx -o "$out/trivy.cdx.json" "$tree"
echo "-- where ward's time goes"
"$out/sbom_phases" "$tree"
python3 - "$out/ward.cdx.json" "$out/trivy.cdx.json" <<'PY'
import json, sys
purls = {}
for path in sys.argv[1:]:
    doc = json.load(open(path))
    comps = doc.get("components", [])
    libs = [c for c in comps if c.get("purl")]
    purls[path] = {c["purl"] for c in libs}
    print(f"{path}: {len(comps)} components, {len(libs)} with a purl, "
          f"{len(purls[path])} distinct purls")
ward, trivy = purls.values()
print(f"purls only trivy lists: {len(trivy - ward)}; only ward lists: {len(ward - trivy)}")
for purl in sorted(trivy - ward)[:20]:
    print("  trivy only:", purl)
PY
