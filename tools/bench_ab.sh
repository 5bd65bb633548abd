#!/bin/bash
# Alternating A/B rounds of `./perceiver bench` on two checkouts (say, an old commit's worktree and this one), each
# round under the shared benchmark lock, the order swapped every round. After each side it prints the share of CPU
# time that other processes used meanwhile ("other-cpu"): a round where it is not near 0% was disturbed.
#
#   tools/bench_ab.sh A_DIR B_DIR [WORKLOADS] [ROUNDS] [extra bench options...]
#   tools/bench_ab.sh /tmp/old . clm-generate,img-train,clm-train 4 --reps 5 --warmup 2
#
# Both checkouts must be built (`mvn -B -q -o -DskipTests package`); LOCK overrides /tmp/perceiver-mvn.lock.
set -euo pipefail
A=$(cd "$1" && pwd)
B=$(cd "$2" && pwd)
WORKLOADS=${3:-clm-generate,img-train,clm-train}
ROUNDS=${4:-3}
shift $(( $# < 4 ? $# : 4 ))
EXTRA="$*"
LOCK=${LOCK:-/tmp/perceiver-mvn.lock}

side() { # label dir round: one bench run, then the other processes' CPU share while it ran
  local b0 t0 b1 t1 c0 c1
  read -r b0 t0 < <(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
  c0=$(awk '{print $16+$17}' "/proc/$$/stat")
  (cd "$2" && ./perceiver bench --workloads "$WORKLOADS" $EXTRA 2>/dev/null | grep '^{' | sed "s/^/$1 r$3 /")
  read -r b1 t1 < <(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
  c1=$(awk '{print $16+$17}' "/proc/$$/stat")
  echo "$1 r$3 other-cpu $(( 100 * ((b1 - b0) - (c1 - c0)) / (t1 - t0) ))% load $(cut -d' ' -f1-3 /proc/loadavg)"
}
export -f side
export WORKLOADS EXTRA
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then first="a $A"; second="b $B"; else first="b $B"; second="a $A"; fi
  flock "$LOCK" bash -c "echo \"== round $r \$(date -u +%H:%M:%S) load \$(cut -d' ' -f1-3 /proc/loadavg)\";
    side ${first% *} ${first#* } $r; side ${second% *} ${second#* } $r"
done
