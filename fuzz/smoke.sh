#!/usr/bin/env bash
# The CI fuzz smoke run: every target for FUZZ_SECONDS (default 60) of AFL++, two at a time on the
# two cores, one build instrumented once; fails on any crash or hang. About 3 minutes in all.
# Idempotent on a clean clone, as root. See docs/FUZZING.md.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_OUT=fuzz/.findings/smoke exec fuzz/run.sh "${FUZZ_SECONDS:-60}" all
