#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Makes aligned (degraded, clean) frame pairs from the rendered clips with the FFmpeg CLI.

Each rendered clip first becomes a lossless 4:2:0 video (FFV1): the "clean
video". The clean target is that video decoded back to RGB, exactly as real
reference frames are decoded video too; so the model never learns to undo
the RGB->YUV conversion (a bias of about one code value) or 4:2:0 chroma,
which real references have as well. Then, for each variant, one FFmpeg run
applies to the clean video, in Real-ESRGAN's order, optional blur ->
downscale (2x models; in YUV, as the app's Synthesize mode does) -> optional
noise -> lossy compression of the whole clip, so the artefacts are real
inter-frame ones (motion-compensated prediction, B-frames, GOP drift), and
the result is decoded back to RGB with the same conversion.

Degradations (drawn from a generator seeded by clip seed, scale and variant;
the numbers of the default recipe 2, RECIPES below):
  downscale  (scale 2 only) swscale area / bilinear / bicubic / lanczos / neighbor
  blur       p=0.3, Gaussian sigma 0.3..1.2 (before downscaling)
  noise      p=0.3, temporal noise strength 2..8 (after downscaling)
  codec      libx264 60 %, MPEG-2 15 %, VP9 15 %, none 10 %
  quality    one "CRF" c drawn in the 28..36 band: libx264 uses it directly
             (random preset and tune); VP9 and MPEG-2 have other scales, so the
             band's position maps linearly onto VP9 --crf and MPEG-2 qscale
             ranges chosen to give a similar PSNR-Y on our renders (README).

Held-out clips also get variant 0 = the app's Synthesize mode exactly
(x264 CRF 34, preset medium; bicubic downscale for 2x) written as PNGs too,
which train.py logs against and eval.sh hands to `svd`.

Output:
  DATA/clean/<split>/<clip>/clean_<W>x<H>.mkv   the clean video (FFV1, yuv420p)
  DATA/clean/<split>/<clip>/frames_<W>x<H>.npy  uint8 (N, H, W, 3), the clean target
  DATA/pairs/<S>x/<split>/<clip>__v<k>/lq.npy   uint8 (N, H/S, W/S, 3)
  DATA/pairs/<S>x/<split>/<clip>__v<k>/meta.json
"""

import argparse
import os
import random
import shutil
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

FILTERS = ["area", "bilinear", "bicubic", "lanczos", "neighbor"]
CRF_BAND = (28, 36)
# The band's ends mapped onto the other codecs' scales (see README, "Calibration").
VP9_CRF = (51, 63)
MPEG2_Q = (10, 24)
# The degradation recipes, by version (degrade.py --recipe, train.sh's
# SVD_TRAIN_RECIPE). Add an entry for a new recipe rather than changing one:
# pairs made with another recipe are remade, train.py records the iteration
# from which a resumed run saw the new recipe, and the shipped models'
# metadata describes the recipes they were trained on.
# Recipe 3 (session 6) tried rarer, milder blur and noise (a clean target
# behind a blurred or noisy input teaches a 1x model to sharpen and to flatten
# grain-like detail, which could cost PSNR on sharp, finely textured video such
# as BBB's grass and fur), a larger H.264 share, and half as much
# nearest-neighbour downscaling (its samples sit a quarter of an input pixel
# off the other filters' centres). Measured (README, "Recipe 3"): BBB gained
# a little, Sintel lost more, so the shipped models stay on recipe 2.
RECIPES = {
    2: {"blur_p": 0.3, "blur_sigma": (0.3, 1.2), "noise_p": 0.3, "noise": (2, 8),
        "codecs": (("libx264", 0.6), ("mpeg2video", 0.15), ("libvpx-vp9", 0.15), ("none", 0.1))},
    # Recipe 4 (session 9): recipe 2, but the target itself is decoded lossy
    # video most of the time, as every real reference is (web video, a
    # Blu-ray's H.264): with p = ref_p the clean clip is first encoded with
    # libx264 at a CRF drawn from ref_crf (a good-quality source), and that
    # decoded source is both the target and what the degradations start from.
    # A target that is always lossless teaches a model to put back detail
    # that no compressed reference has (README, "Recipe 4").
    3: {"blur_p": 0.15, "blur_sigma": (0.3, 1.0), "noise_p": 0.15, "noise": (1, 5),
        "codecs": (("libx264", 0.7), ("mpeg2video", 0.1), ("libvpx-vp9", 0.1), ("none", 0.1)),
        "filters": (("area", 0.2), ("bilinear", 0.2), ("bicubic", 0.25), ("lanczos", 0.25), ("neighbor", 0.1))},
}
RECIPES[4] = dict(RECIPES[2], ref_p=0.75, ref_crf=(16, 26))
DEGRADE_VERSION = 2  # the default recipe: the shipped models' own


def pick(rng, shares):
    """One name from ((name, share), ...), shares summing to 1."""
    r, acc = rng.random(), 0.0
    for name, share in shares:
        acc += share
        if r < acc:
            return name
    return shares[-1][0]


def draw_params(seed, scale, variant, canonical, recipe=DEGRADE_VERSION):
    if canonical:
        return {"scale": scale, "filter": "bicubic" if scale > 1 else None, "blur": 0.0, "noise": 0,
                "codec": "libx264", "crf": 34, "preset": "medium", "tune": None, "canonical": True,
                "version": recipe}
    rec = RECIPES[recipe]
    rng = random.Random("%d/%d/%d" % (seed, scale, variant))
    p = {"scale": scale, "canonical": False, "version": recipe}
    # No "filters" shares (recipe 2): a uniform rng.choice, which draws
    # differently from pick (), so recipe 2's pairs stay as they were.
    p["filter"] = (rng.choice(FILTERS) if "filters" not in rec else pick(rng, rec["filters"])) if scale > 1 else None
    p["blur"] = round(rng.uniform(*rec["blur_sigma"]), 2) if rng.random() < rec["blur_p"] else 0.0
    p["noise"] = rng.randint(*rec["noise"]) if rng.random() < rec["noise_p"] else 0
    p["codec"] = pick(rng, rec["codecs"])
    crf = rng.randint(*CRF_BAND)
    u = (crf - CRF_BAND[0]) / (CRF_BAND[1] - CRF_BAND[0])
    p["crf"] = crf
    p["preset"] = rng.choice(["veryfast", "faster", "medium", "medium", "slow"])
    p["tune"] = rng.choice([None, None, "animation", "film"])
    p["vp9_crf"] = round(VP9_CRF[0] + u * (VP9_CRF[1] - VP9_CRF[0]))
    p["mpeg2_q"] = round(MPEG2_Q[0] + u * (MPEG2_Q[1] - MPEG2_Q[0]))
    p["noise_seed"] = rng.randint(0, 2 ** 31 - 1)
    if "ref_p" in rec:
        # Drawn last, so the other parameters are recipe 2's for the same clip and variant.
        p["ref_crf"] = rng.randint(*rec["ref_crf"]) if rng.random() < rec["ref_p"] else None
        p["ref_preset"] = rng.choice(["faster", "medium", "medium", "slow"])
    return p


def ffmpeg_degrade(src, w, h, p, tmpdir):
    """Runs one FFmpeg encode of the clip and decodes it back; returns uint8 frames."""
    vf = []
    if p["blur"] > 0:
        vf.append("gblur=sigma=%g" % p["blur"])
    lw, lh = w // p["scale"], h // p["scale"]
    if p["scale"] > 1:
        vf.append("scale=%d:%d:flags=%s" % (lw, lh, p["filter"]))
    if p["noise"] > 0:
        vf.append("noise=alls=%d:allf=t:all_seed=%d" % (p["noise"], p["noise_seed"]))
    vf.append("format=yuv420p")  # a no-op on the clean video; kept for other inputs
    # One thread everywhere: reproducible bit for bit (x264 and libvpx are
    # deterministic single-threaded) and kind to a shared CPU.
    cmd = ["ffmpeg", "-v", "error", "-nostdin", "-y", "-threads", "1", "-filter_threads", "1",
           "-i", src, "-vf", ",".join(vf), "-threads", "1"]
    codec = p["codec"]
    if codec == "libx264":
        out = os.path.join(tmpdir, "v.mkv")
        cmd += ["-c:v", "libx264", "-crf", str(p["crf"]), "-preset", p["preset"]]
        if p["tune"]:
            cmd += ["-tune", p["tune"]]
    elif codec == "mpeg2video":
        out = os.path.join(tmpdir, "v.mkv")
        cmd += ["-c:v", "mpeg2video", "-q:v", str(p["mpeg2_q"]), "-g", "12", "-bf", "2"]
    elif codec == "libvpx-vp9":
        out = os.path.join(tmpdir, "v.webm")
        cmd += ["-c:v", "libvpx-vp9", "-crf", str(p["vp9_crf"]), "-b:v", "0", "-deadline", "good",
                "-cpu-used", "4", "-row-mt", "0"]
    else:
        # No compression: still 4:2:0 (what every decoded video is), kept lossless with FFV1.
        out = os.path.join(tmpdir, "v.mkv")
        cmd += ["-c:v", "ffv1"]
    common.run(cmd + [out])
    return common.ffmpeg_read_rgb(out, lw, lh, extra_in=["-threads", "1"])


def compressed_source(src, w, h, p, tmpdir):
    """The clean video as a good-quality H.264 source (recipe 4): the encoded file and its frames."""
    out = os.path.join(tmpdir, "ref.mkv")
    common.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-threads", "1", "-i", src, "-threads", "1",
                "-c:v", "libx264", "-crf", str(p["ref_crf"]), "-preset", p["ref_preset"], "-pix_fmt", "yuv420p",
                out])
    return out, common.ffmpeg_read_rgb(out, w, h, extra_in=["-threads", "1"])


def clean_video(clip_dir, cw, ch):
    """The clip cropped to cw x ch as a lossless 4:2:0 video, and its decoded RGB frames."""
    meta = common.load_json(os.path.join(clip_dir, "clip.json"))
    mkv = os.path.join(clip_dir, "clean_%dx%d.mkv" % (cw, ch))
    npy = os.path.join(clip_dir, "frames_%dx%d.npy" % (cw, ch))
    if os.path.exists(npy) and os.path.exists(mkv):
        arr = np.load(npy, mmap_mode="r")
        if arr.shape[0] == meta["frames"]:
            return mkv, npy, arr, meta
    common.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-threads", "1", "-filter_threads", "1",
                "-framerate", "24", "-i", os.path.join(clip_dir, "%04d.png"),
                "-vf", "crop=%d:%d:0:0,format=yuv420p" % (cw, ch), "-c:v", "ffv1", "-threads", "1",
                mkv + ".tmp.mkv"])
    os.replace(mkv + ".tmp.mkv", mkv)
    arr = common.ffmpeg_read_rgb(mkv, cw, ch, extra_in=["-threads", "1"])
    if arr.shape[0] != meta["frames"]:
        raise RuntimeError("%s: read %d frames, expected %d" % (clip_dir, arr.shape[0], meta["frames"]))
    np.save(npy + ".tmp.npy", arr)
    os.replace(npy + ".tmp.npy", npy)
    return mkv, npy, np.load(npy, mmap_mode="r"), meta


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", help="data directory (default models/train/data or $SVD_TRAIN_DATA)")
    ap.add_argument("--scale", type=int, choices=[1, 2], required=True)
    ap.add_argument("--variants", type=int, default=3, help="random degradations per training clip")
    ap.add_argument("--recipe", type=int, default=DEGRADE_VERSION, choices=sorted(RECIPES),
                    help="degradation recipe (default %d)" % DEGRADE_VERSION)
    ap.add_argument("--heldout-variants", type=int, default=2,
                    help="degradations per held-out clip (variant 0 is the app's Synthesize mode)")
    args = ap.parse_args()

    root = common.data_dir(args.data)
    clips = []
    manifest = common.clip_manifest(root)
    for split in ("train", "heldout"):
        d = os.path.join(root, "clean", split)
        if os.path.isdir(d):
            clips += [(split, c) for c in sorted(os.listdir(d)) if os.path.exists(os.path.join(d, c, "clip.json"))
                      and (manifest is None or "%s/%s" % (split, c) in manifest)]
    if not clips:
        sys.exit("degrade: no rendered clips under %s/clean: run render.py first" % root)

    tmp = tempfile.mkdtemp(prefix="svd-degrade-", dir=root)
    try:
        done = 0
        for split, clip in clips:
            cdir = os.path.join(root, "clean", split, clip)
            meta = common.load_json(os.path.join(cdir, "clip.json"))
            # Crop to a multiple of 2*scale so 4:2:0 at the low resolution has even sizes.
            m = 2 * args.scale
            cw, ch = meta["width"] // m * m, meta["height"] // m * m
            src, hq_path, hq, meta = clean_video(cdir, cw, ch)
            n = hq.shape[0]
            nvar = args.heldout_variants if split == "heldout" else args.variants
            for k in range(nvar):
                canonical = split == "heldout" and k == 0
                p = draw_params(meta["seed"], args.scale, k, canonical, args.recipe)
                p.update({"clip": clip, "split": split, "crop": [cw, ch]})
                vdir = os.path.join(root, "pairs", "%dx" % args.scale, split, "%s__v%d" % (clip, k))
                mpath = os.path.join(vdir, "meta.json")
                if os.path.exists(mpath) and common.load_json(mpath).get("params") == p:
                    continue
                os.makedirs(vdir, exist_ok=True)
                vsrc, vhq, hq_rel = src, hq, os.path.relpath(hq_path, vdir)
                if p.get("ref_crf"):
                    vsrc, vhq = compressed_source(src, cw, ch, p, tmp)
                    if vhq.shape[0] != n:
                        raise RuntimeError("%s: source decoded to %d frames, expected %d" % (vdir, vhq.shape[0], n))
                    np.save(os.path.join(vdir, "hq.tmp.npy"), vhq)
                    os.replace(os.path.join(vdir, "hq.tmp.npy"), os.path.join(vdir, "hq.npy"))
                    hq_rel = "hq.npy"
                elif os.path.exists(os.path.join(vdir, "hq.npy")):
                    os.remove(os.path.join(vdir, "hq.npy"))
                lq = ffmpeg_degrade(vsrc, cw, ch, p, tmp)
                if lq.shape[0] != n:
                    raise RuntimeError("%s: decoded %d frames, expected %d" % (vdir, lq.shape[0], n))
                np.save(os.path.join(vdir, "lq.tmp.npy"), lq)
                os.replace(os.path.join(vdir, "lq.tmp.npy"), os.path.join(vdir, "lq.npy"))
                if canonical:
                    # PNG pairs for eval.sh, which drives the `svd` CLI.
                    for i in range(n):
                        common.write_png(os.path.join(vdir, "lq_%04d.png" % i), lq[i])
                        common.write_png(os.path.join(vdir, "hq_%04d.png" % i), vhq[i])
                ps = common.psnr_y(vhq[0], lq[0]) if args.scale == 1 else None
                common.save_json(mpath, {"params": p, "hq": hq_rel,
                                         "frames": n, "lq_size": [lq.shape[2], lq.shape[1]],
                                         "psnr_y_frame0": ps})
                done += 1
                print("degrade: %s/%s v%d %s%s%s" % (split, clip, k, p["codec"],
                                                     " (source CRF %d)" % p["ref_crf"] if p.get("ref_crf") else "",
                                                   "" if ps is None else " PSNR-Y %.2f dB" % ps), flush=True)
        print("degrade: %d new pairs at %dx in %s/pairs" % (done, args.scale, root))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
