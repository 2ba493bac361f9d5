# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers shared by the training recipe: paths, FFmpeg image I/O, PSNR-Y.

Everything here runs under Debian's /usr/bin/python3 with Debian's numpy;
FFmpeg is always the `ffmpeg` command line (the same FFmpeg 5.1 the app links).
"""

import json
import os
import struct
import subprocess

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.join(HERE, "data")

# Held-out render seeds live far from the training seeds so that no count of
# training clips can ever reach them.
HELDOUT_SEED_BASE = 1_000_000


def data_dir(path=None):
    return os.path.abspath(path or os.environ.get("SVD_TRAIN_DATA", DEFAULT_DATA))


def run(cmd, **kw):
    """Runs a command, raising with its stderr when it fails."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if p.returncode != 0:
        raise RuntimeError("command failed (%d): %s\n%s" % (
            p.returncode, " ".join(cmd), p.stderr.decode(errors="replace")[-2000:]))
    return p.stdout


def ffmpeg_read_rgb(path_or_pattern, width=None, height=None, extra_in=()):
    """Decodes an image, image sequence or clip to uint8 RGB frames (N, H, W, 3).

    swscale's default YUV->RGB matrix is BT.601 limited range, the same one
    it used for RGB->YUV when the clip was made, so clean and degraded frames
    stay in one colour space.
    """
    if width is None or height is None:
        probe = run(["ffprobe", "-v", "error", "-select_streams", "v:0",
                     "-show_entries", "stream=width,height", "-of", "json"]
                    + list(extra_in) + [path_or_pattern])
        s = json.loads(probe)["streams"][0]
        width, height = s["width"], s["height"]
    raw = run(["ffmpeg", "-v", "error", "-nostdin"] + list(extra_in)
              + ["-i", path_or_pattern, "-f", "rawvideo", "-pix_fmt", "rgb24",
                 "-fps_mode", "passthrough", "-"])
    n = len(raw) // (width * height * 3)
    return np.frombuffer(raw, np.uint8)[: n * width * height * 3].reshape(n, height, width, 3)


def write_png(path, rgb):
    """Writes one uint8 RGB frame (H, W, 3) as a PNG through FFmpeg."""
    h, w, _ = rgb.shape
    run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
         "-s", "%dx%d" % (w, h), "-i", "-", "-frames:v", "1", path],
        input=np.ascontiguousarray(rgb).tobytes())


def rgb_to_y(rgb):
    """BT.601 luma on [0, 255] RGB, as ../shared/reference/README.md defines PSNR-Y."""
    rgb = rgb.astype(np.float64)
    return 16.0 + (65.481 * rgb[..., 0] + 128.553 * rgb[..., 1] + 24.966 * rgb[..., 2]) / 255.0


def psnr_y(ref, dist):
    """PSNR on BT.601 Y of two uint8 (or [0,255] float) RGB images, peak 255."""
    mse = np.mean((rgb_to_y(ref) - rgb_to_y(dist)) ** 2)
    if mse == 0:
        return float("inf")
    return float(10.0 * np.log10(255.0 ** 2 / mse))


def read_safetensors(path):
    """Reads a file back (F32 only): the check that what we wrote is well-formed."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out, end = {}, 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        b, e = info["data_offsets"]
        assert info["dtype"] == "F32" and b == end, name
        out[name] = np.frombuffer(data[base + b:base + e], "<f4").reshape(info["shape"])
        end = e
    assert base + end == len(data), "trailing bytes"
    return out, meta


def clip_manifest(root):
    """The set of "split/clip" names render.py last made (DATA/clean/clips.json)."""
    path = os.path.join(root, "clean", "clips.json")
    return set(load_json(path)) if os.path.exists(path) else None


def save_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def load_json(path):
    with open(path) as f:
        return json.load(f)
