#!/usr/bin/env bash
# Builds the fuzz targets and runs each for a while (default 30 s) on seeds from the corpus.
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
export RUSTC_BOOTSTRAP=1
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
mkdir -p "$seeds/json" "$seeds/xml" "$seeds/archive" "$seeds/iac"
find tests/data/corpus -type f \( -name '*.json' -o -name '*.sarif' -o -name '*.jsonl' \) -size -256k -exec cp {} "$seeds/json/" \; 2>/dev/null || true
find tests/data/corpus -type f -name '*.xml' -size -256k -exec cp {} "$seeds/xml/" \; 2>/dev/null || true
# Archive seeds: the small archives of tests/data, and one tree packed each way.
find tests/data -type f \( -name '*.zip' -o -name '*.tar' -o -name '*.tar.gz' -o -name '*.tgz' \) -size -64k -exec cp {} "$seeds/archive/" \; 2>/dev/null || true
mkdir -p "$seeds/tree/src" && echo 'print(1)' > "$seeds/tree/src/app.py" && echo 'x' > "$seeds/tree/README"
tar -C "$seeds/tree" -cf "$seeds/archive/seed.tar" . && tar -C "$seeds/tree" -czf "$seeds/archive/seed.tar.gz" .
python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED); z.writestr("src/app.py", "print(1)\n"); z.writestr("README", "x\n"); z.close()' "$seeds/archive/seed.zip"
# IaC seeds: the file type byte (see fuzz_targets/iac.rs) followed by a real file.
i=0
while IFS= read -r -d '' f; do
  case "$f" in
    *.tf) t=0 ;; *.json) t=2 ;; *cfngoat*) t=1 ;; *tfplan*) t=4 ;; *Dockerfile) t=5 ;; *compose*) t=6 ;; *) t=3 ;;
  esac
  { printf "\\$(printf '%03o' "$t")"; cat "$f"; } > "$seeds/iac/$i"
  i=$((i + 1))
done < <(find tests/data/iac -type f \( -name '*.tf' -o -name '*.yaml' -o -name '*.template.json' -o -name '*.tfplan.json' -o -name Dockerfile \) -size -64k -print0)
cargo fuzz build --sanitizer none --release
for target in json xml archive iac; do
  mkdir -p "fuzz/corpus/$target"
  cargo fuzz run --sanitizer none --release "$target" "fuzz/corpus/$target" "$seeds/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=1048576 -print_final_stats=1 2>&1 | tail -n 12
done
