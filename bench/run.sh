#!/usr/bin/env bash
# Benchmarks of `rollcall check` against the parse-only floor (examples/parse_only.rs: the csv
# crate reading the same file with one reused ByteRecord, doing nothing else), measured side by
# side in one run, ROUNDS times alternately; wall time and peak memory (max RSS) of every run
# and the median ratio to the floor:
#
#   1. senr.txt of 600,000 students (1,000,000 SENR records: two of three transfer):
#      field and record rules (`records`), + within-file rules (`within`), every rule (`check`),
#      and the field and record rules on a tenth of the file (memory does not grow);
#   2. senr.txt of 1,000,000 distinct students (1,000,000 records): every rule (`distinct`);
#   3. the 600,000-student submission (SENR + SINF + STAS, 2.6 M records) with every rule and
#      --census (`submission`); its floor is the three files parsed one after the other.
#
#   bash bench/run.sh                       # the figures of BENCHMARKS.md
#   STUDENTS=60000 ROUNDS=1 bash bench/run.sh   # a quick run
#
# The data comes from the seeded generator in tests/cli/scale.rs (same N, same bytes).
set -euo pipefail
cd "$(dirname "$0")/.."
STUDENTS=${STUDENTS:-600000}
DISTINCT=${DISTINCT:-1000000}
ROUNDS=${ROUNDS:-5}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
cargo build --release --quiet --bin rollcall --example parse_only
TARGET=${CARGO_TARGET_DIR:-target}/release
write() { # dir students transfers
  if [ ! -s "$1/senr.txt" ]; then
    SCALE_OUT="$1" SCALE_STUDENTS="$2" SCALE_TRANSFERS="$3" cargo test --release --quiet --test cli write_scale_submission -- --ignored
  fi
}
DATA="$OUT/submission-$STUDENTS"
ONE="$OUT/distinct-$DISTINCT"
write "$DATA" "$STUDENTS" 1
write "$ONE" "$DISTINCT" 0
FILE="$DATA/senr.txt"
echo "file: $FILE ($(wc -l < "$FILE") records, $(du -h "$FILE" | cut -f1)); $ONE/senr.txt ($(wc -l < "$ONE/senr.txt") records)"
# The within-file rules, by ID (the rest of the registry's whole-run rules are the XF family).
WITHIN=$("$TARGET/rollcall" rules --format json | python3 -c 'import json,sys; print(",".join(r["id"] for r in map(json.loads, sys.stdin) if r["id"] in {"SENR-DUPLICATE-KEY","SENR-OVERLAP-SCHOOL","SENR-OVERLAP-PRIMARY","SENR-SHORT-TERM-NO-PRIMARY","SINF-DUPLICATE-KEY","STAS-DUPLICATE","STAS-RECOVERY-TOTAL","SENR-E150-NO-NEXT","SENR-EXIT-AFTER-GRADUATION","SENR-OPEN-AFTER-GRADUATION","SENR-ENROLLED-AFTER-GRADUATION"}))')
measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" > /dev/null
  read -r secs kb < "$OUT/time.txt"
  echo "$label $secs $kb"
}
parse3() { "$TARGET/examples/parse_only" "$DATA/senr.txt" && "$TARGET/examples/parse_only" "$DATA/sinf.txt" && "$TARGET/examples/parse_only" "$DATA/stas.txt"; }
export -f parse3; export TARGET DATA
head -n "$(( $(wc -l < "$FILE") / 10 ))" "$FILE" > "$OUT/tenth.txt"
CHECK=("$TARGET/rollcall" check --format json --as-of 2026-07-15)
: > "$OUT/runs.txt"
for _ in $(seq "$ROUNDS"); do
  measure parse "$TARGET/examples/parse_only" "$FILE" | tee -a "$OUT/runs.txt"
  measure records "${CHECK[@]}" "$FILE" --ignore "XF,$WITHIN" | tee -a "$OUT/runs.txt"
  measure within "${CHECK[@]}" "$FILE" --ignore XF | tee -a "$OUT/runs.txt"
  measure check "${CHECK[@]}" "$FILE" | tee -a "$OUT/runs.txt"
  measure records-tenth "${CHECK[@]}" "$OUT/tenth.txt" --ignore "XF,$WITHIN" | tee -a "$OUT/runs.txt"
  measure parse-distinct "$TARGET/examples/parse_only" "$ONE/senr.txt" | tee -a "$OUT/runs.txt"
  measure distinct "${CHECK[@]}" "$ONE/senr.txt" | tee -a "$OUT/runs.txt"
  measure parse-submission bash -c parse3 | tee -a "$OUT/runs.txt"
  measure submission "${CHECK[@]}" --census "$DATA" | tee -a "$OUT/runs.txt"
done
python3 - "$OUT/runs.txt" <<'PY'
import statistics, sys
runs = [l.split() for l in open(sys.argv[1])]
med = lambda k, i: statistics.median(float(r[i]) for r in runs if r[0] == k)
mib = lambda k: med(k, 2) / 1024
# Each run against the floor measured just before it in the same round: on a machine whose
# speed drifts, the median of these is steadier than a ratio of two medians.
def paired(key, floor):
    a = [float(r[1]) for r in runs if r[0] == key]
    b = [float(r[1]) for r in runs if r[0] == floor]
    return statistics.median(x / y for x, y in zip(a, b))
p = med("parse", 1)
for key, label in [("records", "field+record rules"), ("within", "+within-file rules"), ("check", "every rule")]:
    print(f"1M SENR (600,000 students): {label} {med(key, 1):.2f} s = {med(key, 1) / p:.2f}x the floor {p:.2f} s (per round {paired(key, 'parse'):.2f}x); {mib(key):.1f} MiB")
print(f"  field+record rules on a tenth of the file: {mib('records-tenth'):.1f} MiB (whole file {mib('records'):.1f} MiB)")
d, dp = med("distinct", 1), med("parse-distinct", 1)
print(f"1M SENR (1,000,000 students): every rule {d:.2f} s = {d / dp:.2f}x the floor {dp:.2f} s (per round {paired('distinct', 'parse-distinct'):.2f}x); {mib('distinct'):.1f} MiB")
s, sp = med("submission", 1), med("parse-submission", 1)
print(f"submission (2.6M records, 600,000 students, --census): every rule {s:.2f} s = {s / sp:.2f}x the floor {sp:.2f} s (per round {paired('submission', 'parse-submission'):.2f}x); {mib('submission'):.1f} MiB")
PY
