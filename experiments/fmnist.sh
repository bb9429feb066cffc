#!/usr/bin/env bash
# The Fashion-MNIST replication of docs/results.md (issue 6): pretraining, the four post-training variants, the
# Euler/Heun grid at NFE 10/20/50 with and without CFG 1.5, the sampling-time rivals and the Slow-Flow plots, all at
# N = 10 000 samples per cell. Results: runs/fmnist/report.md (and report.json, one result.json per cell).
#
#   experiments/fmnist.sh                 # one single-thread runner per core, sharing runs/fmnist
#   RUNNERS=1 experiments/fmnist.sh       # a single runner
#   CFG_NFE=10 experiments/fmnist.sh      # guidance only at NFE 10 (the cells docs/results.md has today)
#
# Resumable: rerunning skips every finished stage (config hash in <stage>/stage.json) and resumes an interrupted
# training stage from its last checkpoint, bit-exactly. The runners split the stages through exclusive per-stage
# locks (runs/fmnist/.claims/); a runner passes over a stage another one holds or whose model is not trained yet and
# runs the next one it can (two variants are post-trained at once). Seeds: pretraining 0, post-training 1,
# evaluation noise 2024 (recorded in report.md). Logs: runs/fmnist.runner<k>.log.
# The binaries are copied to runs/bin/<commit>/ first, so rebuilding the checkout never replaces files under a
# running job.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
OUT=${OUT:-runs/fmnist}
RUNNERS=${RUNNERS:-$(nproc)}
CFG_NFE=${CFG_NFE:-10,20,50}
case "$RUNNERS" in ''|*[!0-9]*|0) echo "fmnist.sh: RUNNERS must be a positive integer (got '$RUNNERS')" >&2; exit 2 ;; esac

./mixflow --version > /dev/null # installs what is missing (apt) and builds once
rev=$(git rev-parse --short HEAD)
if ! git diff --quiet HEAD -- src; then rev="$rev-dirty-$(date +%s)"; fi
bin=runs/bin/$rev
if [ ! -f "$bin/MixFlow.Cli.dll" ]; then
  mkdir -p "$bin.tmp" && cp -r src/MixFlow.Cli/bin/Release/net10.0/. "$bin.tmp/" && mv "$bin.tmp" "$bin"
fi

args=(experiment fmnist --scale full --out "$OUT" --pretrain-steps 2800 --posttrain-steps 400 --samples 10000
  --batch-size 64 --lr 1e-3 --warmup 200 --ema-decay 0.995 --nfe 10,20,50 --cfg-nfe "$CFG_NFE" --rival-nfe 10,20,50
  --slowflow-samples 1000 --ckpt-every 200 --threads 1)
mkdir -p "$OUT"
pids=()
for k in $(seq 1 "$RUNNERS"); do
  dotnet "$bin/MixFlow.Cli.dll" "${args[@]}" < /dev/null > "$OUT.runner$k.log" 2>&1 &
  pids+=($!)
  echo "fmnist.sh: runner $k (pid $!) → $OUT.runner$k.log" >&2
  sleep 2
done
trap 'kill -INT "${pids[@]}" 2> /dev/null || true' INT TERM
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
[ "$status" -eq 0 ] && echo "fmnist.sh: done; see $OUT/report.md" >&2 || echo "fmnist.sh: a runner failed; see $OUT.runner*.log" >&2
exit "$status"
