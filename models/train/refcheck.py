#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""How much of a 1x model's gain depends on how clean its reference is.

Real references are decoded lossy video themselves (the test clips are web
H.264), while the recipe's targets were lossless until recipe 4. This measures,
for one clip, the gain of each model when the reference is the clip itself
("lossless") or the clip encoded with libx264 at a few good-quality CRFs, and
the input is always that reference encoded as the app's Synthesize mode does
(x264 CRF 34, preset medium):

    gain = PSNR-Y(model(input), reference) - PSNR-Y(input, reference)

    /usr/bin/python3 models/train/refcheck.py CLIP MODEL [MODEL...] [--frames N] [--crf 18,22,26]

CLIP is anything FFmpeg reads (a clip, or a PNG sequence such as
DATA/clean/heldout/p-coffee/%04d.png); it is first made a lossless 4:2:0 video
cropped to even sizes, as degrade.py makes its clean videos. MODEL a .safetensors
(export.py's) or a .pth state dict (read with torch.load(weights_only=True)).
PyTorch on the CPU and FFmpeg's BT.601 conversion: a diagnostic for the recipe,
not the project's measurement (eval.sh drives `svd`).
"""

import argparse
import os
import shutil
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import train  # noqa: E402


def x264(src, out, crf):
    common.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", src, "-c:v", "libx264", "-crf", str(crf),
                "-preset", "medium", "-pix_fmt", "yuv420p", out])


@torch.no_grad()
def mean_gain(model, refs, inputs):
    gains = []
    for ref, x in zip(refs, inputs):
        t = torch.from_numpy(np.array(x)).permute(2, 0, 1)[None].float() / 255.0
        gains.append(common.psnr_y(ref, train.to_u8(model(t))) - common.psnr_y(ref, x))
    return float(np.mean(gains))


def load_model(path):
    m = train.load_model(path)
    if m.upscale != 1:
        sys.exit("refcheck: %s is a %dx model; this compares 1x models" % (path, m.upscale))
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("clip")
    ap.add_argument("models", nargs="+")
    ap.add_argument("--frames", type=int, default=10, help="first N frames of the clip")
    ap.add_argument("--crf", default="18,22,26", help="reference CRFs besides the lossless clip")
    args = ap.parse_args()
    models = [(os.path.basename(p), load_model(p)) for p in args.models]
    tmp = tempfile.mkdtemp(prefix="svd-refcheck-")
    try:
        clean = os.path.join(tmp, "clean.mkv")
        seq = ["-framerate", "24"] if "%" in args.clip else []  # an image sequence
        common.run(["ffmpeg", "-v", "error", "-nostdin", "-y"] + seq + ["-i", args.clip,
                    "-frames:v", str(args.frames), "-vf", "crop=trunc(iw/2)*2:trunc(ih/2)*2:0:0,format=yuv420p",
                    "-c:v", "ffv1", clean])
        print("reference  input PSNR-Y  " + "  ".join("%24s" % n[:24] for n, _ in models))
        for r in ["lossless"] + [int(c) for c in args.crf.split(",") if c]:
            ref = clean
            if r != "lossless":
                ref = os.path.join(tmp, "ref.mkv")
                x264(clean, ref, r)
            inp = os.path.join(tmp, "in.mkv")
            x264(ref, inp, 34)
            refs = common.ffmpeg_read_rgb(ref)[:args.frames]
            inputs = common.ffmpeg_read_rgb(inp)[:args.frames]
            base = np.mean([common.psnr_y(a, b) for a, b in zip(refs, inputs)])
            gains = [mean_gain(m, refs, inputs) for _, m in models]
            print("%-9s  %8.3f dB   " % (r if r == "lossless" else "CRF %d" % r, base)
                  + "  ".join("%+21.3f dB" % g for g in gains), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
