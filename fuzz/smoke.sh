#!/usr/bin/env bash
# The CI fuzz smoke run: about 60 s of AFL++ on the instrumented library, failing when it finds a
# crash or a hang. Idempotent on a clean clone, as root. See fuzz/README.md.
#   FUZZ_SECONDS   how long afl-fuzz runs (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

seconds=${FUZZ_SECONDS:-60}
build=fuzz/.build
findings=fuzz/.findings/smoke

if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "smoke: installing afl++"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
fi

dotnet tool restore >/dev/null

# Instrument a fresh publish copy of the library only: an instrumented dll crashes any process
# that loads it outside afl-fuzz, and instrumenting twice fails.
rm -rf "$build" "$findings"
dotnet publish fuzz/SseCore.Fuzz -c Release -o "$build" -nologo -v q
dotnet sharpfuzz "$build/SseCore.dll"

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 \
  AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
mkdir -p "$(dirname "$findings")"
# stdin from /dev/null: with stdin closed afl-fuzz hangs and ignores -V; timeout is the backstop.
rc=0
timeout $((seconds + 60)) afl-fuzz -i fuzz/corpus -o "$findings" -x fuzz/sse.dict -t 5000 -m none -V "$seconds" \
  -- "$(command -v dotnet)" "$build/SseCore.Fuzz.dll" </dev/null >"$findings.log" 2>&1 || rc=$?

stats="$findings/default/fuzzer_stats"
if [ ! -f "$stats" ]; then
  echo "smoke: afl-fuzz did not start (exit $rc); its log:" >&2
  tail -n 40 "$findings.log" >&2
  exit 1
fi
field() { sed -n "s/^$1 *: *//p" "$stats"; }
echo "smoke: afl-fuzz exit $rc, $(field execs_done) execs ($(field execs_per_sec)/s), corpus $(field corpus_count), edges $(field edges_found), crashes $(field saved_crashes), hangs $(field saved_hangs)"

# afl-fuzz exits 0 even when it found crashes: look at the files.
bad=0
for f in "$findings"/default/crashes/id:* "$findings"/default/hangs/id:*; do
  [ -e "$f" ] || continue
  bad=1
  echo "smoke: FINDING $f"
  echo "  base64: $(base64 -w0 "$f")"
  xxd "$f" | head -n 20 | sed 's/^/  /'
done
if [ "$bad" -ne 0 ]; then
  echo "smoke: save each input above in fuzz/regressions/ (base64 -d > fuzz/regressions/NAME.sse)," >&2
  echo "smoke: then replay it: dotnet run --project fuzz/SseCore.Fuzz -c Release -- replay fuzz/regressions/NAME.sse" >&2
  exit 1
fi
echo "smoke: no crash, no hang"
