#!/usr/bin/env bash
# ssecat compiled with Native AOT (zero trim/AOT warnings: warnings are errors), then run on a
# fixture: its --message and --jsonl output must be byte-identical to the JIT build's.
# Needs clang and zlib (installed with apt when missing) and the ILCompiler package (restored).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v clang >/dev/null 2>&1 || [ ! -e /usr/include/zlib.h ]; then
  echo "aot: installing clang and zlib1g-dev"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang zlib1g-dev >/dev/null
fi

out=.ci/out/aot
rm -rf "$out"
dotnet publish src/SseCore.Cli -c Release -r linux-x64 -p:NativeAot=true -warnaserror -o "$out" -nologo -v q

fixture=tests/fixtures/anthropic/tool_use_recorded.sse
jit=src/SseCore.Cli/bin/Release/net10.0/ssecat.dll
[ -f "$jit" ] || dotnet build src/SseCore.Cli -c Release -nologo -v q
for mode in --message --jsonl --text; do
  if ! cmp -s <("$out/ssecat" "$mode" "$fixture") <(dotnet "$jit" "$mode" "$fixture"); then
    echo "aot: ssecat $mode differs between the Native AOT and the JIT build" >&2
    exit 1
  fi
done
echo "aot: ssecat published with Native AOT ($(du -k "$out/ssecat" | cut -f1) KiB), --message/--jsonl/--text identical to the JIT build"
