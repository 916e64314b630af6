#!/usr/bin/env bash
# Benchmark: `rollcall check` on a generated SENR file of ~1,000,000 records against the
# parse-only floor (examples/parse_only.rs: the csv crate with one reused ByteRecord).
# The two programs run alternately, ROUNDS times each, on the same file; the script prints
# wall time and peak memory (max RSS) of every run and the median ratio.
#
#   bash bench/run.sh                 # 625,000 students ≈ 1,000,000 SENR records
#   STUDENTS=60000 bash bench/run.sh  # a quick run
set -euo pipefail
cd "$(dirname "$0")/.."
STUDENTS=${STUDENTS:-625000}
ROUNDS=${ROUNDS:-5}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
cargo build --release --quiet --bin rollcall --example parse_only --example synth
TARGET=${CARGO_TARGET_DIR:-target}/release
if [ ! -s "$OUT/senr.txt" ] || [ "$(cat "$OUT/students" 2>/dev/null)" != "$STUDENTS" ]; then
  "$TARGET/examples/synth" bench --students "$STUDENTS" --out "$OUT"
  echo "$STUDENTS" > "$OUT/students"
fi
FILE="$OUT/senr.txt"
echo "file: $FILE ($(wc -l < "$FILE") records, $(du -h "$FILE" | cut -f1))"
measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" > /dev/null
  read -r secs kb < "$OUT/time.txt"
  echo "$label $secs $kb"
}
: > "$OUT/runs.txt"
for _ in $(seq "$ROUNDS"); do
  measure parse "$TARGET/examples/parse_only" "$FILE" | tee -a "$OUT/runs.txt"
  measure check "$TARGET/rollcall" check "$FILE" --format json --as-of 2026-07-15 | tee -a "$OUT/runs.txt"
done
python3 - "$OUT/runs.txt" <<'PY'
import statistics, sys
runs = [l.split() for l in open(sys.argv[1])]
med = lambda k, i: statistics.median(float(r[i]) for r in runs if r[0] == k)
p, c = med("parse", 1), med("check", 1)
print(f"median wall: parse-only {p:.2f} s, check {c:.2f} s, ratio {c / p:.2f}x")
print(f"median peak memory: parse-only {med('parse', 2) / 1024:.1f} MiB, check {med('check', 2) / 1024:.1f} MiB")
PY
