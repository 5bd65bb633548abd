#!/usr/bin/env bash
# Figures of the README's Spark section: batch inference rows/s with local[1] and local[2], training steps/s with one
# process and two Spark workers, allreduce ms per step. Run it alone, under the shared lock:
#   flock /tmp/perceiver-mvn.lock tools/spark_figures.sh [WORK_DIR] [FASHION_MNIST_IDX_GZ]
# FASHION_MNIST_IDX_GZ: the Fashion-MNIST test images (t10k-images-idx3-ubyte.gz), 4,000 of which become PNG files.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
W=${1:-/tmp/spark-figures}
IDX=${2:-/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz}
P="$ROOT/perceiver"
mkdir -p "$W"
rm -rf "$W/runs" "$W/out-"*
if [ ! -d "$W/images" ]; then
  python3 - "$IDX" "$W/images" 4000 <<'EOF'
import gzip, os, struct, sys, zlib
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = gzip.open(src).read()
_, count, h, w = struct.unpack(">IIII", data[:16])
os.makedirs(out)
def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
for i in range(min(n, count)):
    px = data[16 + i * h * w:16 + (i + 1) * h * w]
    rows = b"".join(b"\x00" + px[r * w:(r + 1) * w] for r in range(h))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    with open(os.path.join(out, "img%05d.png" % i), "wb") as f:
        f.write(png)
EOF
fi
# a model folder of the default image classifier (94K parameters), 30 steps trained
"$P" train image-classifier --trainer.max_steps=30 --trainer.val_check_interval=30 --trainer.limit_val_batches=1 \
  --trainer.default_root_dir="$W/runs/model" > /dev/null 2>&1
MODEL=$(ls -d "$W"/runs/model/image-classifier-*/checkpoints/last)
echo "classify-image, $(ls "$W/images" | wc -l) PNGs, batch 64, 4 partitions (read to write, model load included):"
for m in 'local[1]' 'local[2]'; do
  "$P" spark classify-image --model "$MODEL" --input "$W/images" --output "$W/out-${m//[^0-9]/}" --master "$m" \
    --partitions 4 --batch-size 64 2> /dev/null | sed "s/^/  $m: /"
done
IMG="--trainer.max_steps=100 --trainer.val_check_interval=100 --trainer.limit_val_batches=1"
echo "image-classifier, 100 steps, batch 64:"
"$P" train image-classifier $IMG --trainer.default_root_dir="$W/runs/img1" 2>&1 | grep -E "^trained" | sed 's/^/  1 process: /'
"$P" train image-classifier $IMG --trainer.default_root_dir="$W/runs/img2" --trainer.strategy=spark \
  --trainer.num_workers=2 2>&1 | grep -E "^trained" | sed 's/^/  2 workers: /'
CLM="--model.max_latents=256 --model.num_channels=256 --model.num_heads=8 --model.num_self_attention_layers=6
  --model.cross_attention_dropout=0.5 --data.max_seq_len=1024 --data.batch_size=4 --trainer.max_steps=6
  --trainer.val_check_interval=6 --trainer.limit_val_batches=1"
echo "clm bench model (5.8M parameters), 6 steps, 4 x 1024 tokens:"
"$P" train clm $CLM --trainer.default_root_dir="$W/runs/clm1" 2>&1 | grep -E "^trained" | sed 's/^/  1 process: /'
"$P" train clm $CLM --trainer.default_root_dir="$W/runs/clm2" --trainer.strategy=spark --trainer.num_workers=2 2>&1 \
  | grep -E "^trained" | sed 's/^/  2 workers: /'
