#!/usr/bin/env python3
"""Compares the metrics.csv of two training runs step by step (e.g. a data-parallel Spark run and the single-process
run with the same global batch and seed).

    python3 tools/compare_metrics.py RUN_A RUN_B [--tol 1e-4] [--columns train_loss,train_acc,val_loss,val_acc,lr]

RUN_A and RUN_B are run folders (or metrics.csv files). Rows are matched by (step, kind), kind being a training row
(train_loss set) or a validation row (val_loss set); both runs must have the same rows. Prints, per column, the number
of compared values and the largest absolute difference with its step; exit status 0 when every difference is at
most --tol, 1 otherwise (also when the rows differ), 2 for a bad argument.
"""
import argparse
import csv
import os
import sys


def read_rows(path):
    if os.path.isdir(path):
        path = os.path.join(path, "metrics.csv")
    with open(path, newline="") as f:
        rows = {}
        for r in csv.DictReader(f):
            kind = "train" if r["train_loss"] else "val"
            rows[(int(r["step"]), kind)] = r
    return path, rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run_a")
    ap.add_argument("run_b")
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--columns", default="train_loss,train_acc,val_loss,val_acc,lr")
    a = ap.parse_args()
    try:
        path_a, rows_a = read_rows(a.run_a)
        path_b, rows_b = read_rows(a.run_b)
    except (OSError, KeyError, ValueError) as e:
        print(f"error: cannot read metrics: {e}", file=sys.stderr)
        return 2
    ok = True
    only_a = sorted(set(rows_a) - set(rows_b))
    only_b = sorted(set(rows_b) - set(rows_a))
    if only_a or only_b:
        ok = False
        print(f"rows differ: {len(only_a)} only in {path_a} (first {only_a[:3]}), "
              f"{len(only_b)} only in {path_b} (first {only_b[:3]})")
    keys = sorted(set(rows_a) & set(rows_b))
    train_steps = sum(1 for k in keys if k[1] == "train")
    print(f"{path_a} vs {path_b}: {len(keys)} common rows ({train_steps} training steps)")
    for col in a.columns.split(","):
        n, worst, worst_key = 0, 0.0, None
        for k in keys:
            va, vb = rows_a[k].get(col, ""), rows_b[k].get(col, "")
            if va == "" and vb == "":
                continue
            if va == "" or vb == "":
                ok = False
                print(f"  {col}: step {k[0]} ({k[1]}) set in one run only")
                continue
            d = abs(float(va) - float(vb))
            n += 1
            if d > worst or worst_key is None:
                worst, worst_key = d, k
        if n:
            status = "ok" if worst <= a.tol else "ABOVE TOL"
            ok = ok and worst <= a.tol
            print(f"  {col:10s} {n:5d} values, max abs diff {worst:.3g} at step {worst_key[0]} ({worst_key[1]}) "
                  f"{status}")
    print("PASS" if ok else "FAIL", f"(tol {a.tol:g})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
