#!/bin/bash
# Side by side, alternating, each round under the shared benchmark lock: this checkout's img-infer and mlm-infer on
# ONNX Runtime (`./perceiver bench --engine onnxruntime`) and ONNX Runtime Java on the reference's own ONNX export
# (OrtBench.java of ../shared/bench, see its README). After each side it prints the share of CPU time that other
# processes used meanwhile ("other-cpu"): a round where it is not near 0% was disturbed.
#
#   tools/ort_side_by_side.sh REF_ONNX_DIR [ROUNDS] [WORKLOADS]
#   tools/ort_side_by_side.sh /tmp/onnx-ref/onnx 4 img-infer,mlm-infer
#
# REF_ONNX_DIR holds img-infer.onnx and mlm-infer.onnx from ../shared/bench/export_onnx.py. ORT_BENCH (default
# ../shared/bench/OrtBench.java next to the main checkout; set it from a worktree), ORT_JAR (default: onnxruntime 1.20.0 in ~/.m2), THREADS (2),
# ENGINE (this checkout's engine: onnxruntime, or onnxruntime-int8) and LOCK (/tmp/perceiver-mvn.lock) override the
# defaults.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REF=$(cd "$1" && pwd)
ROUNDS=${2:-3}
WORKLOADS=${3:-img-infer,mlm-infer}
ORT_BENCH=${ORT_BENCH:-$ROOT/../shared/bench/OrtBench.java}
ORT_JAR=${ORT_JAR:-$HOME/.m2/repository/com/microsoft/onnxruntime/onnxruntime/1.20.0/onnxruntime-1.20.0.jar}
THREADS=${THREADS:-2}
ENGINE=${ENGINE:-onnxruntime}
LOCK=${LOCK:-/tmp/perceiver-mvn.lock}
for f in "$ORT_BENCH" "$ORT_JAR" "$REF/img-infer.onnx" "$REF/mlm-infer.onnx"; do
  [ -f "$f" ] || { echo "ort_side_by_side.sh: $f not found (see the comment at the top)" >&2; exit 2; }
done

metered() { # label round command...: runs the command, then the other processes' CPU share while it ran
  local label=$1 round=$2 b0 t0 b1 t1 c0 c1
  shift 2
  read -r b0 t0 < <(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
  c0=$(awk '{print $16+$17}' "/proc/$$/stat")
  ("$@" | sed "s/^/$label r$round /")
  read -r b1 t1 < <(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
  c1=$(awk '{print $16+$17}' "/proc/$$/stat")
  echo "$label r$round other-cpu $(( 100 * ((b1 - b0) - (c1 - c0)) / (t1 - t0) ))% load $(cut -d' ' -f1-3 /proc/loadavg)"
}
ours() {
  (cd "$ROOT" && ./perceiver bench --workloads "$WORKLOADS" --engine "$ENGINE" --threads "$THREADS" --reps 5 \
    --warmup 2 2>/dev/null | grep '^{')
}
ref() { (cd "$REF" && java -cp "$ORT_JAR" "$ORT_BENCH" "$REF" "$THREADS" "$WORKLOADS" 2>/dev/null | grep '^{'); }
export -f metered ours ref
export ROOT REF WORKLOADS ORT_BENCH ORT_JAR THREADS ENGINE
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then order="ours ref"; else order="ref ours"; fi
  flock "$LOCK" bash -c "echo \"== round $r \$(date -u +%H:%M:%S) load \$(cut -d' ' -f1-3 /proc/loadavg)\";
    for s in $order; do metered \$s $r \$s; done"
done
