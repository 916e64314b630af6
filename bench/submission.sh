#!/usr/bin/env bash
# Scale of the submission view: a generated state-sized submission (600,000 students:
# 1,000,000 SENR, 600,000 SINF, 1,000,000 STAS records) checked in one run with --census.
# Prints wall time and peak memory (max RSS). The limit the design promises: 2 GB.
#
#   bash bench/submission.sh
#   SCALE_STUDENTS=100000 bash bench/submission.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export SCALE_STUDENTS=${SCALE_STUDENTS:-600000}
export SCALE_OUT=${SCALE_OUT:-bench/out/submission-$SCALE_STUDENTS}
cargo build --release --quiet --bin rollcall
if [ ! -s "$SCALE_OUT/senr.txt" ]; then
  cargo test --release --quiet --test cli write_scale_submission -- --ignored --nocapture
fi
TARGET=${CARGO_TARGET_DIR:-target}/release
wc -l "$SCALE_OUT"/*.txt
/usr/bin/time -f "check: %e s wall, %M KB peak memory" \
  "$TARGET/rollcall" check "$SCALE_OUT" --census --format json --as-of 2026-07-15 | tail -1
