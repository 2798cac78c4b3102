#!/usr/bin/env bash
# The packages: packs the library (SseCore) and the ssecat .NET tool into a fresh artifacts folder
# with zero warnings, installs ssecat from that folder into a temporary tool path (no global
# install; the repository's tool manifest is not touched), and runs the installed command:
# --help must document every mode, and --stats --message on a fixture must print the message and
# the stats line. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

fail() { echo "package: $*" >&2; exit 1; }

version=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' Directory.Build.props)
[ -n "$version" ] || fail "no VersionPrefix in Directory.Build.props"

artifacts=.ci/out/package
rm -rf "$artifacts"
mkdir -p "$artifacts"
artifacts=$(cd "$artifacts" && pwd)

dotnet pack src/SseCore -c Release -o "$artifacts" -warnaserror -nologo -v q || fail "dotnet pack src/SseCore failed"
dotnet pack src/SseCore.Cli -c Release -o "$artifacts" -warnaserror -nologo -v q || fail "dotnet pack src/SseCore.Cli failed"
for package in "SseCore.$version.nupkg" "SseCore.$version.snupkg" "ssecat.$version.nupkg"; do
  [ -f "$artifacts/$package" ] || fail "$package was not produced"
done

# Installed with only the artifacts folder as a source (a NuGet.config of its own), so that the
# package tested is the one just packed, whatever the machine's sources hold under that name.
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
cat > "$tools/NuGet.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="artifacts" value="$artifacts" />
  </packageSources>
</configuration>
EOF
dotnet tool install --tool-path "$tools/bin" --configfile "$tools/NuGet.config" --add-source "$artifacts" ssecat --version "$version" \
  || fail "dotnet tool install ssecat from $artifacts failed"
ssecat="$tools/bin/ssecat"
[ -x "$ssecat" ] || fail "the tool did not install a command named ssecat"

help=$("$ssecat" --help) || fail "ssecat --help exited $?"
for option in --events --jsonl --text --message --stats --header --data --max-line-length --max-event-size --help; do
  grep -q -- "$option" <<<"$help" || fail "ssecat --help does not document $option"
done

fixture=tests/fixtures/anthropic/basic_text.sse
"$ssecat" --stats --message "$fixture" >"$tools/stdout" 2>"$tools/stderr" || fail "ssecat --stats --message $fixture exited $?: $(cat "$tools/stderr")"
grep -q '^{"id":"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY","type":"message",.*"content":\[{"type":"text","text":"Hello!"}\]' "$tools/stdout" \
  || fail "unexpected --message output: $(cat "$tools/stdout")"
bytes=$(wc -c <"$fixture" | tr -d ' ')
grep -Eq "^stats: events=8 bytes=$bytes elapsed_ms=[0-9]+\.[0-9]{3} events_per_s=[0-9]+\.[0-9] first_event_ms=[0-9]+\.[0-9]{3} input_tokens=25 output_tokens=15$" "$tools/stderr" \
  || fail "unexpected --stats line: $(cat "$tools/stderr")"
[ "$(wc -l <"$tools/stderr")" -eq 1 ] || fail "more than the stats line on standard error: $(cat "$tools/stderr")"

echo "package: SseCore.$version.nupkg and ssecat.$version.nupkg in $artifacts; the installed ssecat ran --help and --stats --message ($(cat "$tools/stderr"))"
