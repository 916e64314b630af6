#!/usr/bin/env bash
# The attendance benchmark (issue "attendance accounting"): 50,000 students x 180 school days
# = 9,000,000 daily attendance rows with their calendar and enrollments. Measured side by side
# with the parse-only floor on the same attendance.csv (examples/parse_only.rs: the csv crate,
# one reused ByteRecord, nothing else), ROUNDS times alternately, wall time and peak memory:
#
#   check        rollcall check (every attendance rule, the calendar rules, every SENR rule)
#   ada          rollcall ada --format csv (P-1, P-2 and Annual)
#   *-4x         the same on 200,000 students (36,000,000 rows): time grows linearly
#   *-quarter    50,000 students, every fourth school day (2,250,000 rows): memory does not
#                grow with the rows (the ledger keeps a byte per student, school and day)
#
#   bash bench/attendance.sh                          # the figures of BENCHMARKS.md
#   STUDENTS=5000 ROUNDS=1 bash bench/attendance.sh   # a quick run
#
# The data comes from the seeded generator in tests/cli/scale.rs (write_attendance).
set -euo pipefail
cd "$(dirname "$0")/.."
STUDENTS=${STUDENTS:-50000}
ROUNDS=${ROUNDS:-5}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
cargo build --release --quiet --bin rollcall --example parse_only
TARGET=${CARGO_TARGET_DIR:-target}/release
write() { # dir students every
  if [ ! -s "$1/attendance.csv" ]; then
    mkdir -p "$1"
    SCALE_OUT="$1" SCALE_STUDENTS="$2" SCALE_EVERY="$3" cargo test --release --quiet --test cli write_scale_attendance -- --ignored
  fi
}
ONE="$OUT/attendance-$STUDENTS"
FOUR="$OUT/attendance-$((STUDENTS * 4))"
QUARTER="$OUT/attendance-$STUDENTS-quarter"
write "$ONE" "$STUDENTS" 1
write "$FOUR" "$((STUDENTS * 4))" 1
write "$QUARTER" "$STUDENTS" 4
for d in "$ONE" "$FOUR" "$QUARTER"; do
  echo "$d: $(($(wc -l < "$d/attendance.csv") - 1)) attendance rows ($(du -h "$d/attendance.csv" | cut -f1)), $(wc -l < "$d/senr.txt") SENR"
done
measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" > /dev/null
  read -r secs kb < "$OUT/time.txt"
  echo "$label $secs $kb"
}
CHECK=("$TARGET/rollcall" check --format json --as-of 2026-07-15)
ADA=("$TARGET/rollcall" ada --format csv --as-of 2026-07-15)
: > "$OUT/attendance-runs.txt"
for _ in $(seq "$ROUNDS"); do
  for set in "1x:$ONE" "4x:$FOUR" "quarter:$QUARTER"; do
    name=${set%%:*}; dir=${set#*:}
    # The files read once first: the set before may have pushed them out of the page cache,
    # which would slow the floor (the first to read them) and flatter every ratio.
    cat "$dir"/*.csv "$dir"/*.txt > /dev/null
    measure "parse-$name" "$TARGET/examples/parse_only" "$dir/attendance.csv" | tee -a "$OUT/attendance-runs.txt"
    measure "check-$name" "${CHECK[@]}" "$dir" | tee -a "$OUT/attendance-runs.txt"
    measure "ada-$name" "${ADA[@]}" "$dir" | tee -a "$OUT/attendance-runs.txt"
  done
done
python3 - "$OUT/attendance-runs.txt" <<'PY'
import statistics, sys
runs = [l.split() for l in open(sys.argv[1])]
med = lambda k, i: statistics.median(float(r[i]) for r in runs if r[0] == k)
# Each run against the floor measured just before it in the same round (steadier on a
# machine whose speed drifts than a ratio of two medians).
def paired(key, floor):
    a = [float(r[1]) for r in runs if r[0] == key]
    b = [float(r[1]) for r in runs if r[0] == floor]
    return statistics.median(x / y for x, y in zip(a, b))
for name in ["1x", "4x", "quarter"]:
    p = med(f"parse-{name}", 1)
    for what in ["check", "ada"]:
        t = med(f"{what}-{name}", 1)
        print(f"{name:8} {what:6} {t:6.2f} s = {t / p:.2f}x the floor {p:.2f} s (per round {paired(f'{what}-{name}', f'parse-{name}'):.2f}x); {med(f'{what}-{name}', 2) / 1024:7.1f} MiB")
PY
