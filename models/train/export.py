#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exports a trained run as a .safetensors model with SVD Studio's metadata.

The safetensors format is written here directly (no extra library):
  8 bytes   little-endian u64 N, the header length
  N bytes   a JSON object: per tensor {"dtype": "F32", "shape": [...],
            "data_offsets": [begin, end]} (offsets into the data block), plus
            "__metadata__": a map of strings to strings; padded with spaces
            so the data block starts 8-byte aligned
  data      the tensors' raw little-endian bytes, back to back

Tensor names are the state dict's (body.N.weight / body.N.bias, PReLU slopes
as body.N.weight of shape [nf]), exactly as Real-ESRGAN's SRVGGNetCompact
names them, so `svd model info` detects nf, num_conv and scale as it does for
the official models.

`--scores FILE` (written by eval.sh) adds the measured scores to the metadata.
Set SOURCE_DATE_EPOCH to pin the date and get byte-identical files.
"""

import argparse
import datetime
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import degrade  # noqa: E402
import train  # noqa: E402

TRAINING_DATA = (
    "SVD Studio's own cairo renders (models/train/render.py: cel-style flat colours with dark outlines, "
    "gradient skies, text of many sizes, thin lines and hatching, moving/rotating/scaling shapes, camera pans; "
    "640x360 and 1280x720; training seeds 0..N-1) and pan/zoom clips over freely licensed images from Debian "
    "packages (python3-skimage data: public domain / CC0; desktop-base wallpapers: GPL-2+; "
    "photographs from plasma-workspace-wallpapers: LGPL-3 and mate-backgrounds: GPL-2+; see "
    "models/train/DATA-LICENSES.md). No frame of the project's test clips was used.")


def recipe_text(scale, version):
    r = degrade.RECIPES[version]
    parts = []
    if "ref_p" in r:
        parts.append("target = the clean clip encoded with libx264 CRF %d-%d (p=%g; else lossless), "
                     "the degradations below start from it" % (r["ref_crf"] + (r["ref_p"],)))
    if scale > 1:
        filters = ", ".join("%s %d%%" % (f, round(100 * w)) for f, w in r["filters"]) if "filters" in r \
            else ", ".join(degrade.FILTERS)
        parts.append("downscale x%d with a random swscale filter (%s)" % (scale, filters))
    parts.append("Gaussian blur sigma %g-%g (p=%g)" % (r["blur_sigma"] + (r["blur_p"],)))
    parts.append("temporal noise strength %d-%d (p=%g)" % (r["noise"] + (r["noise_p"],)))
    share = dict(r["codecs"])
    parts.append("4:2:0 video compression of whole clips with the FFmpeg CLI: libx264 CRF %d-%d random preset/tune "
                 "(%d%%), MPEG-2 qscale %d-%d (%d%%), VP9 CRF %d-%d (%d%%), none (%d%%)"
                 % (degrade.CRF_BAND + (round(100 * share["libx264"]),) + degrade.MPEG2_Q
                    + (round(100 * share["mpeg2video"]),) + degrade.VP9_CRF
                    + (round(100 * share["libvpx-vp9"]), round(100 * share["none"]))))
    return "; ".join(parts)


def degradations_text(scale, history):
    """The recipe of each stretch of the run: [{"from_iter", "degrade_recipe"}, ...]."""
    spans = []
    for d in history or [{"from_iter": 0, "degrade_recipe": degrade.DEGRADE_VERSION}]:
        v = d.get("degrade_recipe", 2)
        if not spans or spans[-1][1] != v:
            spans.append((d["from_iter"], v))
    if len(spans) == 1:
        return recipe_text(scale, spans[0][1])
    return " | ".join("from iteration %d (recipe %d): %s" % (a, v, recipe_text(scale, v)) for a, v in spans)


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
    blobs, offset = [], 0
    for name, arr in tensors:
        arr = np.ascontiguousarray(arr, dtype="<f4")
        b = arr.tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    hj = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode()
    hj += b" " * ((8 - (8 + len(hj)) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def add_scores(model_path, scores_path, out):
    """Writes MODEL again with SCORES in its metadata, tensors untouched: for a
    model exported before its run went on (the checkpoint is then newer)."""
    tensors, meta = common.read_safetensors(model_path)
    meta["scores"] = json.dumps(common.load_json(scores_path), sort_keys=True, separators=(",", ":"))
    order = sorted(tensors)
    write_safetensors(out, [(k, tensors[k]) for k in order], meta)
    back, bmeta = common.read_safetensors(out)
    assert all(np.array_equal(back[k], tensors[k]) for k in tensors) and bmeta["scores"] == meta["scores"]
    print("export: wrote %s with the scores of %s" % (out, scores_path))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", help="the run directory train.py wrote")
    ap.add_argument("--out", required=True, help="output .safetensors path")
    ap.add_argument("--name", help="model name for the metadata (default: file name)")
    ap.add_argument("--scores", help="JSON file of measured scores (eval.sh writes it)")
    ap.add_argument("--model", help="with --scores and no --run: an exported model to write again with the scores")
    args = ap.parse_args()
    if args.run is None:
        if not (args.model and args.scores):
            ap.error("give --run, or --model with --scores")
        add_scores(args.model, args.scores, args.out)
        return

    ck_path = os.path.join(args.run, "last.pt")
    sum_path = os.path.join(args.run, "summary.json")
    if not os.path.exists(ck_path) or not os.path.exists(sum_path):
        sys.exit("export: %s has no finished run (last.pt + summary.json): run train.py first" % args.run)
    ck = torch.load(ck_path, map_location="cpu")
    s = common.load_json(sum_path)
    if ck["iter"] != s["iterations"]:
        sys.exit("export: the checkpoint (iteration %d) is newer than summary.json (%d): let train.py finish"
                 % (ck["iter"], s["iterations"]))
    sd = ck["model"]
    model = train.SRVGGNetCompact(3, 3, s["nf"], s["num_conv"], s["scale"])
    model.load_state_dict(sd)

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc) if epoch else \
        datetime.datetime.now(datetime.timezone.utc)
    name = args.name or os.path.splitext(os.path.basename(args.out))[0]
    meta = {
        "format": "pt",
        "name": name,
        "architecture": "SRVGGNetCompact",
        "tier": s["tier"],
        "nf": s["nf"],
        "num_conv": s["num_conv"],
        "scale": s["scale"],
        "in_channels": 3,
        "out_channels": 3,
        "activation": "prelu",
        "task": "de-compression (1x)" if s["scale"] == 1 else "upscale x%d with de-compression" % s["scale"],
        "training_data": TRAINING_DATA,
        "training_clips": len(s["train_clips"]),
        "degradations": degradations_text(s["scale"], s.get("data_history")),
        "iterations": s["iterations"],
        "schedule_iterations": s["total_iters"],
        "warm_restarts": ", ".join("at %d, lr %g" % (r["at_iter"], r["peak_lr"])
                                   for r in s.get("warm_restarts", [])) or "none",
        "training_set_changes": ", ".join("from %d: %d clips, degradation recipe %d"
                                          % (d["from_iter"], d["clips"], d.get("degrade_recipe", 2))
                                          for d in s.get("data_history", [])[1:]) or "none",
        "seed": s["seed"],
        "fine_tuned_from": "none" if not s.get("init") else "%s (sha256 %s, %d iterations)" % (
            s["init"]["model"], s["init"]["sha256"], s["init"]["iterations"]),
        "loss": s["loss"],
        "patch_sampling": ", ".join("from %d: %s" % (h["from_iter"], "uniform" if not h["textured_share"] else
                                                     "%g textured (8x8-block luma std >= %g)"
                                                     % (h["textured_share"], h["min_local_texture"]))
                                    for h in s.get("sampling_history", [])) or "uniform",
        "optimizer": "Adam(0.9, 0.99) lr %g, %d warm-up, cosine to 1%%" % (s["lr"], s["warmup"]),
        "patch": s["patch"],
        "batch": s["batch"],
        "train_minutes": s["train_minutes"],
        "train_device": "%s, %d threads, torch %s" % (s["device"], s["threads"], s["torch"]),
        "date": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "recipe": "SVD Studio models/train (train.sh); reproduce with the same seed and iterations",
        "license": "GPL-3.0-or-later",
        "heldout_psnr_y_train_py": "%s dB vs %s dB (%s), %d held-out render/photo crops" % (
            s["heldout_psnr_y"], s["heldout_baseline_psnr_y"], s["heldout_baseline"], s["heldout_samples"]),
    }
    if args.scores:
        scores = common.load_json(args.scores)
        meta["scores"] = json.dumps(scores, sort_keys=True, separators=(",", ":"))
    tensors = [(k, v.detach().cpu().numpy()) for k, v in sd.items()]
    write_safetensors(args.out, tensors, meta)

    # Read the file back and check every tensor and a forward pass.
    back, bmeta = common.read_safetensors(args.out)
    assert set(back) == set(sd) and bmeta["architecture"] == "SRVGGNetCompact"
    for k, v in sd.items():
        assert np.array_equal(back[k], v.numpy()), k
    m2 = train.SRVGGNetCompact(3, 3, s["nf"], s["num_conv"], s["scale"])
    m2.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in back.items()})
    x = torch.rand(1, 3, 17, 23, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        assert torch.equal(model(x), m2(x))
    print("export: wrote %s (%d tensors, %d bytes, %d iterations)" % (
        args.out, len(tensors), os.path.getsize(args.out), s["iterations"]))


if __name__ == "__main__":
    main()
