#!/usr/bin/env python3
"""Writes the vision test fixtures of perceiver-core with Pillow and OpenCV, the libraries the reference's image
processing runs on. Run from the repository root: python3 tools/vision_fixtures.py (Debian: python3-pil,
python3-opencv, python3-numpy). The tests compare the Java code with these files bit for bit.

pil_input.png        random 13x17 RGB image
pil_gray.png         its luma, Image.convert("L")
pil_<filter>_HxW.png Image.resize((W, H), filter) of the input
flow_21x45.flo       random flow field (Middlebury .flo), 21 rows, 45 columns (one 32-pixel vector step + tail)
flow_21x45.png       that field rendered like the reference: OpenCV cartToPolar, hue = angle / pi / 2 * 180,
                     saturation = clip(magnitude * 255 / 24, 0, 255), value 255, cvtColor HSV2RGB
"""
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

OUT = Path("perceiver-core/src/test/resources/dev/perceiver/vision")
RESIZES = [("bicubic", Image.BICUBIC, 7, 5), ("bicubic", Image.BICUBIC, 24, 30), ("bilinear", Image.BILINEAR, 9, 11),
           ("lanczos", Image.LANCZOS, 6, 20), ("nearest", Image.NEAREST, 5, 8), ("box", Image.BOX, 4, 6),
           ("hamming", Image.HAMMING, 11, 7)]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    image = Image.fromarray(rng.integers(0, 256, (13, 17, 3), dtype=np.uint8))
    image.save(OUT / "pil_input.png")
    image.convert("L").save(OUT / "pil_gray.png")
    for name, flt, h, w in RESIZES:
        image.resize((w, h), flt).save(OUT / f"pil_{name}_{h}x{w}.png")

    h, w = 21, 45
    mag = rng.uniform(0, 30, (h, w)).astype(np.float32)
    ang = rng.uniform(0, 2 * np.pi, (h, w)).astype(np.float32)
    flow = np.stack([mag * np.cos(ang), mag * np.sin(ang)], -1).astype(np.float32)
    flow[0, :4] = [[0, 0], [3, 0], [0, -3], [-1e-3, 0]]
    with open(OUT / f"flow_{h}x{w}.flo", "wb") as f:
        np.array([202021.25], "<f4").tofile(f)
        np.array([w, h], "<i4").tofile(f)
        flow.astype("<f4").tofile(f)
    magnitude, angle = cv2.cartToPolar(flow[..., 0], flow[..., 1])
    hsv = np.zeros((h, w, 3), np.uint8)
    hsv[..., 0] = angle / np.pi / 2 * 180
    hsv[..., 1] = np.clip(magnitude * 255 / 24, 0, 255)
    hsv[..., 2] = 255
    Image.fromarray(cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)).save(OUT / f"flow_{h}x{w}.png")


if __name__ == "__main__":
    main()
