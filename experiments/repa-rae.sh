#!/usr/bin/env bash
# REPA and RAE rows of the MixFlow replication table (issue 8, item 5); results in docs/results-repa-rae.md.
#
#   experiments/repa-rae.sh            # everything, in order (resumable: finished stages are skipped)
#   experiments/repa-rae.sh repa       # encoder, REPA pretraining, FM / MixFlow post-training, REPA cells
#   experiments/repa-rae.sh rae        # encoder, decoder, RAE pretraining, weak model, post-training, RAE cells
#   experiments/repa-rae.sh train-repa | train-rae | sample-repa | sample-rae | eval-repa | eval-rae | tables
#   experiments/repa-rae.sh figures   # docs/figures/{repa,rae}-samples.png from the cells' samples
#   (and sample-noise / eval-noise: the unguided pretrained models with other noise, the metrics' noise floor;
#   sample-repa-reverse / sample-rae-reverse: the cells in reverse order, to share one family over two cores)
#
# Every job runs single-threaded (--threads 1 where the command has the flag, DOTNET_PROCESSOR_COUNT=1 for all,
# which also sizes OpenBLAS), so `repa` and `rae` can run side by side on two cores.
# A stage is finished when its output exists: the final checkpoint ckpt-<steps> of a training run, the encoder /
# decoder file, a cell's samples / result.json. An interrupted training run is resumed bit-exactly from its last
# checkpoint (`mixflow train --resume`); an interrupted sampling or evaluation stage is redone. Sampling does not use
# the feature network, so it can run before the evaluation's feature network is in the cache.
# The binaries are copied to runs/repa-rae/bin/<commit>/ before use, so that rebuilding the checkout (e.g. after a
# merge) never replaces the files under a running job.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
R=runs/repa-rae
mkdir -p "$R/logs" "$R/eval"
export DOTNET_PROCESSOR_COUNT=1

# --- evaluation protocol (the same for all 12 cells) ---
N_PER_CLASS=${N_PER_CLASS:-100}  # 10 classes × 100 = N = 1000 samples per cell, balanced labels
NFE=50                   # Euler, 50 steps = 50 network evaluations (guided: each evaluation is one doubled batch)
EVAL_SEED=2024           # the same noise in every cell
CFG=1.5                  # REPA guidance: classifier-free guidance scale
AG=1.5                   # RAE guidance: autoguidance scale, weak model = rae-weak-xs
# --- post-training protocol (the same for FM and MixFlow within a family) ---
POST_STEPS=200           # 20 % of the 1000 pretraining steps, as in the SiT rows (docs/results.md)
POST="--steps $POST_STEPS --warmup 0 --seed 1 --keep-optimizer --log-every 50 --sample-every 0 --ckpt-every 100 --keep 2 --threads 1"

rev=$(git rev-parse --short HEAD)
if ! git diff --quiet HEAD -- src; then rev="$rev-dirty"; fi
bin="$R/bin/$rev"
if [ ! -f "$bin/MixFlow.Cli.dll" ]; then
  dll=src/MixFlow.Cli/bin/Release/net10.0/MixFlow.Cli.dll
  if [ ! -f "$dll" ] || [ -n "$(find src -name '*.cs' -newer "$dll" -print -quit)" ]; then
    dotnet build src/MixFlow.Cli -c Release -v quiet -nologo >&2
  fi
  mkdir -p "$bin.tmp" && cp -r src/MixFlow.Cli/bin/Release/net10.0/. "$bin.tmp/" && mv "$bin.tmp" "$bin"
fi
mixflow() { dotnet "$bin/MixFlow.Cli.dll" "$@"; }

log() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$R/logs/stages.log" >&2; }

# run_stage NAME CMD...: runs a command with its output in logs/NAME.log and its wall time in logs/stages.log.
run_stage() {
  local name=$1; shift
  local t0; t0=$(date +%s)
  log "$name: start: mixflow $*"
  if ! mixflow "$@" < /dev/null >> "$R/logs/$name.log" 2>&1; then log "$name: FAILED (see $R/logs/$name.log)"; exit 1; fi
  log "$name: done in $(( $(date +%s) - t0 )) s"
}

# train_stage NAME OUTDIR STEPS CMD...: a training run that is finished when OUTDIR/ckpt-STEPS exists.
train_stage() {
  local name=$1 out=$2 steps=$3; shift 3
  if [ -d "$out/ckpt-$steps" ]; then log "$name: finished earlier (skipped)"; return; fi
  if compgen -G "$out/ckpt-[0-9]*" > /dev/null; then run_stage "$name" train --resume "$out"
  else run_stage "$name" "$@"; fi
}

encoder() {
  if [ -f "$R/encoder.safetensors" ]; then log "encoder: finished earlier (skipped)"; return; fi
  run_stage encoder train-encoder --data fmnist --epochs 1 --seed 0 --threads 1 --out "$R/encoder.safetensors"
}

decoder() {
  encoder
  if [ -f "$R/decoder.safetensors" ]; then log "decoder: finished earlier (skipped)"; return; fi
  run_stage decoder train-decoder --encoder "$R/encoder.safetensors" --steps 1000 --seed 0 --threads 1 --out "$R/decoder.safetensors"
}

train_repa() {
  encoder
  train_stage repa-pretrain "$R/repa-pretrain" 1000 train --config configs/fmnist-repa-sit-xs-small.yaml --threads 1
  train_stage repa-post-fm "$R/repa-post-fm" $POST_STEPS \
    posttrain --from "$R/repa-pretrain" --objective fm --time-sampler uniform $POST --out "$R/repa-post-fm"
  train_stage repa-post-mixflow "$R/repa-post-mixflow" $POST_STEPS \
    posttrain --from "$R/repa-pretrain" --objective mixflow --gamma 0.8 --mixflow-target slowed --time-sampler beta:2,1 $POST --out "$R/repa-post-mixflow"
}

train_rae() {
  decoder
  train_stage rae-pretrain "$R/rae-pretrain" 1000 train --config configs/fmnist-rae-ditdh-xs-small.yaml --threads 1
  train_stage rae-weak-xs "$R/rae-weak-xs" 250 train --config configs/fmnist-rae-ditdh-xs-weak.yaml --threads 1
  train_stage rae-post-fm "$R/rae-post-fm" $POST_STEPS \
    posttrain --from "$R/rae-pretrain" --objective fm --time-sampler uniform $POST --out "$R/rae-post-fm"
  train_stage rae-post-mixflow "$R/rae-post-mixflow" $POST_STEPS \
    posttrain --from "$R/rae-pretrain" --objective mixflow --gamma 0.4 --mixflow-target slowed --time-sampler beta:2,1 $POST --out "$R/rae-post-mixflow"
}

# Each evaluation cell NAME is two stages: sampling (N images with balanced labels, Euler with NFE steps, into
# eval/NAME/samples.npz; it does not involve the feature network) and the metrics of that file (eval/NAME/result.json).
# sample_cell NAME SEED CKPT [GUIDANCE FLAGS...]
sample_cell() {
  local name=$1 seed=$2 ckpt=$3; shift 3
  local dir="$R/eval/$name"
  if [ -f "$dir/sampled" ]; then log "sample $name: finished earlier (skipped)"; return; fi
  # A cell being sampled by another invocation of this script (e.g. `sample-repa` and `sample-repa-reverse` side by
  # side) is left to it; a lock whose process is gone is taken over.
  local lock="$R/eval/.lock-$name"
  if ! mkdir "$lock" 2>/dev/null; then
    if kill -0 "$(cat "$lock/pid" 2>/dev/null || echo 0)" 2>/dev/null; then log "sample $name: in progress elsewhere (skipped)"; return; fi
    rm -rf "$lock" && mkdir "$lock"
  fi
  echo $$ > "$lock/pid"
  rm -rf "$dir" && mkdir -p "$dir"
  run_stage "sample-$name" sample --ckpt "$ckpt" --sampler euler --steps $NFE --per-class $N_PER_CLASS --seed "$seed" "$@" --threads 1 --out "$dir"
  echo "mixflow sample --ckpt $ckpt --sampler euler --steps $NFE --per-class $N_PER_CLASS --seed $seed $* --threads 1 --out $dir" > "$dir/sampled"
  rm -rf "$lock"
}

# eval_cell NAME: the metrics of eval/NAME/samples.npz against the test split (default feature network, from the cache).
eval_cell() {
  local name=$1 dir="$R/eval/$1"
  if [ -f "$dir/result.json" ]; then log "eval $name: finished earlier (skipped)"; return; fi
  [ -f "$dir/sampled" ] || { log "eval $name: no samples yet (run the sampling first)"; exit 1; }
  run_stage "eval-$name" eval --samples "$dir/samples.npz" --threads 1 --json "$dir/result.json.tmp"
  mv "$dir/result.json.tmp" "$dir/result.json"
}

# The cells of a family, one "NAME SEED CKPT [FLAGS]" line each: 3 models × (no guidance, guidance).
cells_repa() {
  for v in pretrain post-fm post-mixflow; do
    echo "repa-$v $EVAL_SEED $R/repa-$v"
    echo "repa-$v-cfg$CFG $EVAL_SEED $R/repa-$v --cfg $CFG"
  done
}
cells_rae() {
  for v in pretrain post-fm post-mixflow; do
    echo "rae-$v $EVAL_SEED $R/rae-$v"
    echo "rae-$v-ag$AG $EVAL_SEED $R/rae-$v --autoguidance $R/rae-weak-xs --autoguidance-scale $AG"
  done
}
# The noise floor: the unguided pretrained cells again with other noise (seed 2025).
cells_noise() {
  echo "repa-pretrain-seed2025 2025 $R/repa-pretrain"
  echo "rae-pretrain-seed2025 2025 $R/rae-pretrain"
}
sample_family() { local line; "cells_$1" | ${2:-cat} | while read -r line; do sample_cell $line; done; }
eval_family() { local line; "cells_$1" | while read -r line; do eval_cell "${line%% *}"; done; }

# tables: the markdown tables of docs/results-repa-rae.md from the cells' result.json files.
tables() {
  /usr/bin/python3 - "$R" "$CFG" "$AG" <<'PY'
import json, os, sys
R, cfg, ag = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [("pretrained", "pretrain"), ("standard post-training (FM)", "post-fm"), ("MixFlow", "post-mixflow")]
def get(name):
    p = os.path.join(R, "eval", name, "result.json")
    return json.load(open(p)) if os.path.exists(p) else None
def fmt(r, *keys):
    if r is None: return "—"
    for k in keys:
        if k in r and r[k] is not None: return f"{r[k]:.4f}" if isinstance(r[k], float) else str(r[k])
    return "—"
for fam, title, gname in (("repa", "REPA (SiT-XS/4 + REPA, MixFlow γ = 0.8)", f"cfg{cfg}"), ("rae", "RAE (DiT-DH-XS, MixFlow γ = 0.4)", f"ag{ag}")):
    print(f"### {title}\n")
    print("| model | guidance | N | FD ↓ | precision ↑ | recall ↑ | class accuracy ↑ | IS analogue ↑ |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for label, v in rows:
        for guided in (False, True):
            name = f"{fam}-{v}" + (f"-{gname}" if guided else "")
            r = get(name)
            g = ("CFG " + cfg if fam == "repa" else "autoguidance " + ag) if guided else "none"
            print(f"| {label} | {g} | {fmt(r, 'samples')} | {fmt(r, 'fd')} | {fmt(r, 'precision')} | {fmt(r, 'recall')} | {fmt(r, 'classAccuracy')} | {fmt(r, 'inceptionScore')} |")
    r = get(f"{fam}-pretrain-seed2025")
    if r is not None:
        print(f"| pretrained, other noise (seed 2025) | none | {fmt(r, 'samples')} | {fmt(r, 'fd')} | {fmt(r, 'precision')} | {fmt(r, 'recall')} | {fmt(r, 'classAccuracy')} | {fmt(r, 'inceptionScore')} |")
    print()
PY
}

# figures: docs/figures/repa-samples.png and rae-samples.png, the first 6 samples of every class (rows) of each cell
# (panel columns: pretrained / FM / MixFlow; top: no guidance, bottom: guided), cut from the cells' samples.npz.
figures() {
  /usr/bin/python3 - "$R" "$CFG" "$AG" <<'PY'
import os, sys, numpy as np
from PIL import Image, ImageDraw
R, cfg, ag = sys.argv[1], sys.argv[2], sys.argv[3]
per, scale, pad, head = 6, 2, 6, 16
for fam, gname, gtext in (("repa", f"cfg{cfg}", f"CFG {cfg}"), ("rae", f"ag{ag}", f"autoguidance {ag}")):
    panels = []
    for v, vt in (("pretrain", "pretrained"), ("post-fm", "FM post-training"), ("post-mixflow", "MixFlow")):
        row = []
        for guided in (False, True):
            f = os.path.join(R, "eval", f"{fam}-{v}" + (f"-{gname}" if guided else ""), "samples.npz")
            if not os.path.exists(os.path.join(os.path.dirname(f), "sampled")): row.append(None); continue
            z = np.load(f); x, y = z["arr_0"][..., 0], z["arr_1"]
            grid = np.zeros((10 * 28, per * 28), np.uint8)
            for c in range(10):
                idx = np.flatnonzero(y == c)[:per]
                for j, i in enumerate(idx): grid[c * 28:(c + 1) * 28, j * 28:(j + 1) * 28] = x[i]
            row.append((Image.fromarray(grid).resize((per * 28 * scale, 10 * 28 * scale), Image.NEAREST), f"{vt}, {gtext if guided else 'no guidance'}"))
        panels.append(row)
    w, h = per * 28 * scale, 10 * 28 * scale
    out = Image.new("L", (3 * w + 4 * pad, 2 * (h + head) + 3 * pad), 255)
    d = ImageDraw.Draw(out)
    for r, row in enumerate(panels):
        for c, p in enumerate(row):
            if p is None: continue
            x0, y0 = pad + r * (w + pad), pad + c * (h + head + pad)
            d.text((x0, y0), p[1], fill=0)
            out.paste(p[0], (x0, y0 + head))
    os.makedirs("docs/figures", exist_ok=True)
    out.save(f"docs/figures/{fam}-samples.png", optimize=True)
    print(f"docs/figures/{fam}-samples.png")
PY
}

case "${1:-all}" in
  all) train_repa; train_rae; sample_family repa; sample_family rae; eval_family repa; eval_family rae
       sample_family noise; eval_family noise; tables > "$R/tables.md"; log "tables → $R/tables.md"; figures ;;
  repa) train_repa; sample_family repa; eval_family repa ;;
  rae) train_rae; sample_family rae; eval_family rae ;;
  train-repa) train_repa ;;
  train-rae) train_rae ;;
  sample-repa | sample-rae | sample-noise) sample_family "${1#sample-}" ;;
  sample-repa-reverse | sample-rae-reverse) f=${1#sample-}; sample_family "${f%-reverse}" tac ;;
  eval-repa | eval-rae | eval-noise) eval_family "${1#eval-}" ;;
  tables) tables | tee "$R/tables.md" ;;
  figures) figures ;;
  *) echo "usage: $0 [all | repa | rae | train-repa | train-rae | sample-repa | sample-rae | sample-noise | sample-repa-reverse | sample-rae-reverse | eval-repa | eval-rae | eval-noise | tables | figures]" >&2; exit 2 ;;
esac
