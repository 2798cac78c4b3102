#!/usr/bin/env bash
# Fuzz SseCore with AFL++ (SharpFuzz): build, instrument a fresh publish copy, fuzz each target,
# and exit 1 when any crash or hang was saved (afl-fuzz itself exits 0 even then), printing each
# finding as base64. Installs afl++ with apt when missing. As root. See docs/FUZZING.md.
#
#   fuzz/run.sh [SECONDS] [TARGET|all]      SECONDS per target (default 60), TARGET (default all):
#                                           tokenizer | reader | anthropic | noalloc
# Environment:
#   FUZZ_JOBS=2           targets fuzzed at the same time (one afl-fuzz each; default 2, the cores)
#   FUZZ_OUT=DIR          findings root (default fuzz/.findings/run); emptied first
#   FUZZ_TIMEOUT_MS=5000  afl-fuzz -t: an input that runs longer is a hang
#   FUZZ_REUSE_BUILD=1    reuse fuzz/.build when it is already instrumented (never instrument twice)
#   FUZZ_AFL_ARGS="..."   extra afl-fuzz arguments (e.g. "-p explore")
#   FUZZ_RESUME=1         continue the afl-fuzz runs in FUZZ_OUT (afl-fuzz -i -) instead of starting over
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

seconds=${1:-60}
which_target=${2:-all}
all_targets="tokenizer reader anthropic noalloc"
if [ "$which_target" = all ]; then
  targets=$all_targets
elif [[ " $all_targets " == *" $which_target "* ]]; then
  targets=$which_target
else
  echo "usage: fuzz/run.sh [SECONDS] [tokenizer|reader|anthropic|noalloc|all]" >&2
  exit 2
fi
jobs=${FUZZ_JOBS:-2}
out=${FUZZ_OUT:-fuzz/.findings/run}
timeout_ms=${FUZZ_TIMEOUT_MS:-5000}
build=fuzz/.build

if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "fuzz: installing afl++"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
fi

# Instrument a fresh publish copy of the library only: an instrumented dll crashes any process
# that loads it outside afl-fuzz, and instrumenting twice fails (hence the marker file).
if [ "${FUZZ_REUSE_BUILD:-0}" = 1 ] && [ -f "$build/.instrumented" ]; then
  echo "fuzz: reusing the instrumented $build"
else
  dotnet tool restore >/dev/null
  rm -rf "$build"
  dotnet publish fuzz/SseCore.Fuzz -c Release -o "$build" -nologo -v q
  dotnet sharpfuzz "$build/SseCore.dll"
  touch "$build/.instrumented"
fi

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 \
  AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
if [ "${FUZZ_RESUME:-0}" != 1 ]; then
  rm -rf "$out"
fi
mkdir -p "$out"
dotnet_path=$(command -v dotnet)

# One target: afl-fuzz with stdin from /dev/null (with stdin closed it hangs and ignores -V) and
# timeout as the backstop; its exit code and wall time are saved.
fuzz_one() {
  local t=$1 dir="$out/$1" rc=0
  mkdir -p "$dir"
  local start=$SECONDS
  local input="fuzz/corpus/$t"
  if [ "${FUZZ_RESUME:-0}" = 1 ] && [ -d "$dir/default/queue" ]; then
    input=-
  fi
  timeout $((seconds + 120)) afl-fuzz -i "$input" -o "$dir" -x fuzz/sse.dict -t "$timeout_ms" -m none \
    -V "$seconds" ${FUZZ_AFL_ARGS:-} -- "$dotnet_path" "$build/SseCore.Fuzz.dll" "$t" \
    </dev/null >"$dir.log" 2>&1 || rc=$?
  echo "$rc" >"$dir.rc"
  echo $((SECONDS - start)) >"$dir.wall"
}

# CPU time per target: afl-fuzz kills its target at the end (and SharpFuzz's out-of-process child
# is not its child at all), so rusage misses most of it. Instead /proc is sampled every 2 s: the
# last utime+stime seen of each afl-fuzz and target process, summed per target.
sample_cpu() {
  local tck
  tck=$(getconf CLK_TCK)
  declare -A last=()
  while [ -e "$out/.sampling" ]; do
    for p in /proc/[0-9]*; do
      local cmd
      cmd=$( { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
      local t=""
      for x in $targets; do
        case "$cmd" in
          *"SseCore.Fuzz.dll $x "*|*"-o $out/$x "*) t=$x ;;
        esac
      done
      [ -n "$t" ] || continue
      local ticks
      ticks=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "$p/stat" 2>/dev/null) || continue
      last["$t ${p#/proc/}"]=$ticks
    done
    for x in $targets; do
      local sum=0 k
      for k in "${!last[@]}"; do
        [ "${k%% *}" = "$x" ] && sum=$((sum + last[$k]))
      done
      echo "$sum $tck" >"$out/$x.cpu"
    done
    sleep 2
  done
}
touch "$out/.sampling"
sample_cpu &
sampler=$!

pending=()
for t in $targets; do
  fuzz_one "$t" &
  pending+=("$!")
  if [ "${#pending[@]}" -ge "$jobs" ]; then
    wait "${pending[0]}"
    pending=("${pending[@]:1}")
  fi
done
for p in "${pending[@]}"; do wait "$p"; done
rm -f "$out/.sampling"
wait "$sampler" || true

bad=0
for t in $targets; do
  dir="$out/$t"
  stats="$dir/default/fuzzer_stats"
  rc=$(cat "$dir.rc")
  if [ ! -f "$stats" ]; then
    echo "fuzz: $t: afl-fuzz did not start (exit $rc); its log:" >&2
    tail -n 30 "$dir.log" >&2
    bad=1
    continue
  fi
  field() { sed -n "s/^$1 *: *//p" "$stats"; }
  read -r ticks tck <"$dir.cpu" || true
  echo "fuzz: $t: exit $rc, wall $(cat "$dir.wall") s, cpu $(awk "BEGIN { printf \"%.0f\", ${ticks:-0} / ${tck:-100} }") s, $(field execs_done) execs ($(field execs_per_sec)/s), corpus $(field corpus_count), edges $(field edges_found)/$(field total_edges) ($(field bitmap_cvg)), crashes $(field saved_crashes), hangs $(field saved_hangs)"
  for f in "$dir"/default/crashes/id:* "$dir"/default/hangs/id:*; do
    [ -e "$f" ] || continue
    bad=1
    echo "fuzz: $t: FINDING $f"
    echo "  base64: $(base64 -w0 "$f")"
  done
  # afl-fuzz exits non-zero when the fork server died (an in-process target killed by a hang or a
  # stack overflow): the input is then only in .cur_input.
  if [ "$rc" -ne 0 ]; then
    bad=1
    echo "fuzz: $t: afl-fuzz exited $rc; the input it was running (.cur_input):"
    [ -f "$dir/default/.cur_input" ] && echo "  base64: $(base64 -w0 "$dir/default/.cur_input")"
    tail -n 15 "$dir.log" | sed 's/^/  /'
  fi
done

if [ "$bad" -ne 0 ]; then
  echo "fuzz: save each input above as fuzz/regressions/TARGET/NAME.sse (echo BASE64 | base64 -d > ...)," >&2
  echo "fuzz: then: dotnet run --project fuzz/SseCore.Fuzz -c Release -- replay TARGET fuzz/regressions/TARGET/NAME.sse" >&2
  exit 1
fi
echo "fuzz: no crash, no hang"
