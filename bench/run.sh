#!/usr/bin/env bash
# Benchmark: `rollcall check` on a generated SENR file of ~1,000,000 records against the
# parse-only floor (examples/parse_only.rs: the csv crate with one reused ByteRecord), in three
# configurations: field and record rules only (`records`), plus the within-file rules
# (`within`, which keep per-SSID keys), and every rule (`check`).
# The two programs run alternately, ROUNDS times each, on the same file; the script prints
# wall time and peak memory (max RSS) of every run and the median ratio.
#
#   bash bench/run.sh                 # 600,000 students = 1,000,000 SENR records
#   STUDENTS=60000 bash bench/run.sh  # a quick run
#
# The data comes from the generator in tests/cli/scale.rs (seeded by the student number:
# the same N gives the same bytes).
set -euo pipefail
cd "$(dirname "$0")/.."
STUDENTS=${STUDENTS:-600000}
ROUNDS=${ROUNDS:-5}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
cargo build --release --quiet --bin rollcall --example parse_only
TARGET=${CARGO_TARGET_DIR:-target}/release
DATA="$OUT/submission-$STUDENTS"
if [ ! -s "$DATA/senr.txt" ]; then
  SCALE_OUT="$DATA" SCALE_STUDENTS="$STUDENTS" cargo test --release --quiet --test cli write_scale_submission -- --ignored
fi
FILE="$DATA/senr.txt"
echo "file: $FILE ($(wc -l < "$FILE") records, $(du -h "$FILE" | cut -f1))"
WITHIN=SENR-DUPLICATE-KEY,SENR-OVERLAP-SCHOOL,SENR-OVERLAP-PRIMARY,SENR-SHORT-TERM-NO-PRIMARY,SINF-DUPLICATE-KEY,STAS-DUPLICATE,STAS-RECOVERY-TOTAL,SENR-E150-NO-NEXT,SENR-EXIT-AFTER-GRADUATION,SENR-OPEN-AFTER-GRADUATION,SENR-ENROLLED-AFTER-GRADUATION
measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" > /dev/null
  read -r secs kb < "$OUT/time.txt"
  echo "$label $secs $kb"
}
: > "$OUT/runs.txt"
for _ in $(seq "$ROUNDS"); do
  measure parse "$TARGET/examples/parse_only" "$FILE" | tee -a "$OUT/runs.txt"
  measure records "$TARGET/rollcall" check "$FILE" --format json --as-of 2026-07-15 --ignore "XF,$WITHIN" | tee -a "$OUT/runs.txt"
  measure within "$TARGET/rollcall" check "$FILE" --format json --as-of 2026-07-15 --ignore XF | tee -a "$OUT/runs.txt"
  measure check "$TARGET/rollcall" check "$FILE" --format json --as-of 2026-07-15 | tee -a "$OUT/runs.txt"
done
# Memory of the field and record rules does not grow with the records: a tenth of the file.
head -n "$(( $(wc -l < "$FILE") / 10 ))" "$FILE" > "$OUT/tenth.txt"
measure records-tenth "$TARGET/rollcall" check "$OUT/tenth.txt" --format json --as-of 2026-07-15 --ignore "XF,$WITHIN" | tee -a "$OUT/runs.txt"
python3 - "$OUT/runs.txt" <<'PY'
import statistics, sys
runs = [l.split() for l in open(sys.argv[1])]
med = lambda k, i: statistics.median(float(r[i]) for r in runs if r[0] == k)
p = med("parse", 1)
print(f"median wall: parse-only {p:.2f} s", end="")
for key, label in [("records", "field+record rules"), ("within", "+within-file rules"), ("check", "all rules")]:
    print(f"; {label} {med(key, 1):.2f} s ({med(key, 1) / p:.2f}x)", end="")
print()
print(f"median peak memory: parse-only {med('parse', 2) / 1024:.1f} MiB; field+record rules {med('records', 2) / 1024:.1f} MiB"
      f" (a tenth of the file: {med('records-tenth', 2) / 1024:.1f} MiB); +within-file {med('within', 2) / 1024:.1f} MiB; all rules {med('check', 2) / 1024:.1f} MiB")
PY
