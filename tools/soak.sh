#!/usr/bin/env bash
# Soak figures of the README: resident memory every 100 calls over 2,000 generations (clm-generate) and 2,000
# training steps (img-train), in one process each; prints a line per sample (stderr) and a JSON summary (stdout).
#   tools/soak.sh [CALLS] [EVERY] [tiny|full]        run alone: flock /tmp/perceiver-mvn.lock tools/soak.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/perceiver" --help >/dev/null   # builds the jars when the sources are newer
CP="$ROOT/perceiver-cli/target/perceiver-cli.jar:$(cat "$ROOT/perceiver-cli/target/classpath.txt")"
for w in clm-generate img-train; do
  java -Xmx1g -Dai.djl.offline=true -cp "$CP" dev.perceiver.tools.bench.Soak "$w" "${1:-2000}" "${2:-100}" "${3:-tiny}" 2
done
