#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""FALLBACK evaluation in Python, for smoke tests only: NOT the project's `svd` CLI.

eval.sh uses `svd model run` and `svd metrics`; when svd is not built and
SVD_EVAL_ALLOW_PYTHON=1, it runs this instead: our exported .safetensors is
read back (train.load_model), run with PyTorch on the held-out renders'
Synthesize-mode PNG pairs, and scored with PSNR-Y (BT.601, common.psnr_y)
against the degraded input (1x) or a bicubic upscale (2x, torch). The output
JSON says "tool": "python-fallback" so its numbers are never mistaken for svd's.
"""

import argparse
import datetime
import glob
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import train  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data")
    ap.add_argument("--frames", type=int, default=3)
    ap.add_argument("--out", required=True)
    ap.add_argument("models", nargs="+")
    args = ap.parse_args()
    root = common.data_dir(args.data)
    res = {"tool": "python-fallback (pyeval.py; NOT svd)", "date": datetime.datetime.utcnow().isoformat() + "Z",
           "protocol": "held-out renders, Synthesize mode (x264 CRF 34); PSNR-Y BT.601", "results": []}
    for path in args.models:
        model = train.load_model(path)
        s = model.upscale
        allm, allb = [], []
        for v in sorted(glob.glob(os.path.join(root, "pairs", "%dx" % s, "heldout", "*__v0"))):
            lqs = sorted(glob.glob(os.path.join(v, "lq_*.png")))
            n = len(lqs)
            pm, pb = [], []
            for k in range(args.frames):
                f = k * (n - 1) // max(1, args.frames - 1)
                lq = common.ffmpeg_read_rgb(os.path.join(v, "lq_%04d.png" % f))[0]
                hq = common.ffmpeg_read_rgb(os.path.join(v, "hq_%04d.png" % f))[0]
                t = torch.from_numpy(lq.copy()).permute(2, 0, 1)[None].float() / 255.0
                with torch.no_grad():
                    out = train.to_u8(model(t))
                    base = lq if s == 1 else train.to_u8(F.interpolate(t, scale_factor=s, mode="bicubic",
                                                                       align_corners=False))
                pm.append(common.psnr_y(hq, out))
                pb.append(common.psnr_y(hq, base))
            allm += pm
            allb += pb
            res["results"].append({"model": os.path.basename(path), "set": "heldout-renders",
                                   "item": os.path.basename(v)[:-4], "model_psnr_y": round(np.mean(pm), 4),
                                   "baseline": "input" if s == 1 else "bicubic",
                                   "baseline_psnr_y": round(np.mean(pb), 4),
                                   "gain_psnr_y_db": round(np.mean(pm) - np.mean(pb), 4), "frames": len(pm)})
        if allm:
            res["results"].append({"model": os.path.basename(path), "set": "heldout-renders", "item": "ALL",
                                   "model_psnr_y": round(np.mean(allm), 4),
                                   "baseline": "input" if s == 1 else "bicubic",
                                   "baseline_psnr_y": round(np.mean(allb), 4),
                                   "gain_psnr_y_db": round(np.mean(allm) - np.mean(allb), 4), "frames": len(allm)})
    with open(args.out, "w") as f:
        json.dump(res, f, indent=1)
    for e in res["results"]:
        print("pyeval (fallback): %-24s %-22s PSNR-Y %.3f vs %s %.3f (%+.3f dB)" % (
            e["model"], e["item"], e["model_psnr_y"], e["baseline"], e["baseline_psnr_y"], e["gain_psnr_y_db"]))


if __name__ == "__main__":
    main()
