#!/usr/bin/env python3
"""SIGKILL soak of `perceiver train`: kills a tiny training run at random moments, resumes it each time, and checks
that nothing was lost.

    python3 tools/kill_resume.py [--kills 20] [--steps 400] [--seed 1] [--work DIR] [--perceiver ./perceiver] [--spark N]

1. Trains an uninterrupted reference run (image-classifier, tiny model, embedded data).
2. Starts the same run and kills its JVM with SIGKILL after a random delay (0.2 s .. --max-delay s), then resumes it
   (`train --resume RUN`), KILLS times; a kill before the run folder exists starts the run again. The last resume
   runs to the end.
3. Checks: metrics.csv equals the reference in every column but elapsed_s; checkpoints/{last,best} load (`perceiver
   validate`, and every safetensors file's header and size are checked); best's step is the first lowest val_loss
   row of metrics.csv and `validate` of best gives that row's val_loss; no temporary files are left.

Prints one line per kill and a summary; exit status 0 when every check passed, 1 otherwise. Run it alone (it takes
the machine's cores): `flock /tmp/perceiver-mvn.lock python3 tools/kill_resume.py`.
"""
import argparse
import csv
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

TINY = [
    "--model.num_latents=8",
    "--model.num_latent_channels=32",
    "--model.encoder.num_frequency_bands=4",
    "--model.encoder.num_self_attention_heads=2",
    "--model.encoder.num_self_attention_layers_per_block=1",
    "--model.decoder.num_output_query_channels=32",
    "--model.encoder.dropout=0.1",
    "--data.batch_size=16",
    "--trainer.log_every_n_steps=1",
    "--trainer.limit_val_batches=2",
    "--trainer.val_check_interval=5",
    "--lr_scheduler.warmup_steps=10",
]


def run_dirs(root):
    if not os.path.isdir(root):
        return []
    return sorted(os.path.join(root, d) for d in os.listdir(root) if not d.startswith("."))


def metrics(run):
    with open(os.path.join(run, "metrics.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    return [{k: v for k, v in r.items() if k != "elapsed_s"} for r in rows]


def check_safetensors(path):
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    end = max((t["data_offsets"][1] for k, t in header.items() if k != "__metadata__"), default=0)
    if 8 + n + end != size:
        raise ValueError(f"{path}: header says {8 + n + end} bytes, file has {size}")


def validate(perceiver, ckpt, log):
    out = subprocess.run(
        [perceiver, "validate", "image-classifier", "--checkpoint", ckpt, "--trainer.limit_val_batches=2"],
        stdout=subprocess.PIPE, stderr=log, text=True, check=True).stdout
    fields = dict(kv.split("=", 1) for kv in out.split() if "=" in kv)
    return float(fields["val_loss"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-delay", type=float, default=7.0)
    ap.add_argument("--work", default=None, help="working folder (default: a new temporary folder)")
    ap.add_argument("--perceiver", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "perceiver"))
    ap.add_argument("--spark", type=int, default=0, metavar="N",
                    help="train with --trainer.strategy=spark and N workers (local[N]), reference run included")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    work = a.work or tempfile.mkdtemp(prefix="kill-resume-")
    os.makedirs(work, exist_ok=True)
    log = open(os.path.join(work, "train.log"), "a")
    strategy = ["--trainer.strategy=spark", f"--trainer.num_workers={a.spark}"] if a.spark else []
    opts = TINY + [f"--trainer.max_steps={a.steps}", "--trainer.max_epochs=-1"] + strategy

    t0 = time.time()
    ref_root = os.path.join(work, "reference")
    subprocess.run([a.perceiver, "train", "image-classifier", *opts, f"--trainer.default_root_dir={ref_root}"],
                   stdout=log, stderr=log, check=True)
    ref = run_dirs(ref_root)[0]
    print(f"reference run: {ref} ({time.time() - t0:.0f} s)", flush=True)

    root = os.path.join(work, "killed")
    kills = 0
    while kills < a.kills:
        runs = run_dirs(root)
        if runs:
            cmd = [a.perceiver, "train", "--resume", runs[0], *strategy]
        else:
            cmd = [a.perceiver, "train", "image-classifier", *opts, f"--trainer.default_root_dir={root}"]
        p = subprocess.Popen(cmd, stdout=log, stderr=log)
        delay = rng.uniform(0.2, a.max_delay)
        try:
            p.wait(timeout=delay)
            print(f"run finished before the kill (rc {p.returncode}); {kills} kills so far", flush=True)
            if p.returncode != 0:
                print("FAIL: a resume failed; see " + log.name)
                return 1
            break
        except subprocess.TimeoutExpired:
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
            kills += 1
            step = "-"
            runs = run_dirs(root)
            if runs and os.path.exists(os.path.join(runs[0], "metrics.csv")):
                m = metrics(runs[0])
                step = m[-1]["step"] if m else "0"
            print(f"kill {kills:2d} after {delay:4.1f} s: {'resume' if cmd[2] == '--resume' else 'start '}, "
                  f"metrics.csv at step {step}", flush=True)
    runs = run_dirs(root)
    if runs:
        subprocess.run([a.perceiver, "train", "--resume", runs[0], *strategy], stdout=log, stderr=log, check=True)
    else:
        subprocess.run([a.perceiver, "train", "image-classifier", *opts, f"--trainer.default_root_dir={root}"],
                       stdout=log, stderr=log, check=True)
    run = run_dirs(root)[0]

    failures = []
    if metrics(run) != metrics(ref):
        failures.append("metrics.csv differs from the uninterrupted run's")
    ckpts = os.path.join(run, "checkpoints")
    left = [os.path.join(d, f) for d, ds, fs in os.walk(run) for f in fs + ds if f.endswith(".tmp") or f.endswith(".old")]
    if left or sorted(os.listdir(ckpts)) != ["best", "last"]:
        failures.append(f"leftovers: {left} {sorted(os.listdir(ckpts))}")
    val = {}
    for name in ("last", "best"):
        d = os.path.join(ckpts, name)
        for f in os.listdir(d):
            if f.endswith(".safetensors"):
                check_safetensors(os.path.join(d, f))
        val[name] = validate(a.perceiver, d, log)
    rows = [r for r in metrics(run) if r["val_loss"]]
    best_row = min(rows, key=lambda r: float(r["val_loss"]))
    with open(os.path.join(ckpts, "best", "trainer_state.json")) as f:
        best_state = json.load(f)
    with open(os.path.join(ckpts, "last", "trainer_state.json")) as f:
        last_state = json.load(f)
    if best_state["global_step"] != int(best_row["step"]) or last_state["best_step"] != int(best_row["step"]):
        failures.append(f"best holds step {best_state['global_step']}, metrics.csv's lowest val_loss is at step "
                        f"{best_row['step']}")
    if abs(val["best"] - float(best_row["val_loss"])) > 1e-4:
        failures.append(f"validate best gives val_loss {val['best']}, metrics.csv {best_row['val_loss']}")
    if abs(val["last"] - float(rows[-1]["val_loss"])) > 1e-4:
        failures.append(f"validate last gives val_loss {val['last']}, metrics.csv {rows[-1]['val_loss']}")
    print(f"{kills} kills, {len(metrics(run))} metrics rows, best at step {best_row['step']} "
          f"(val_loss {best_row['val_loss']}, validate {val['best']:.4f}), last at step {last_state['global_step']} "
          f"(validate {val['last']:.4f}); {time.time() - t0:.0f} s in all")
    for f in failures:
        print("FAIL: " + f)
    if not failures:
        print("PASS: metrics equal to the uninterrupted run, checkpoints load, best consistent, no leftovers")
        if a.work is None:
            shutil.rmtree(work)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
