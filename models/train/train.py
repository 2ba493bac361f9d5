#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Trains an SRVGGNetCompact (Real-ESRGAN's compact model) on the recipe's frame pairs.

Resumable: a checkpoint (model, optimiser, iteration, training seconds so far,
log) is written atomically every --ckpt-every iterations and when the process
gets SIGTERM/SIGINT; running the same command again continues from it. After
SIGKILL at most --ckpt-every iterations are lost.

Deterministic: the weights are initialised from --seed, and the batch of
iteration i is drawn from a generator seeded by (seed, i), so a resumed run
sees exactly the batches an uninterrupted one would.

Budget: --iters fixes the schedule length (cosine decay to lr*1e-2 over it).
--minutes caps the training time (summed over resumes). With --minutes and
no --iters, the first run measures its seconds per iteration over 50
iterations and fixes --iters to fill the budget; the value is stored in the
checkpoint and in the exported model, so others can reproduce it with --iters.

Held-out PSNR-Y (BT.601 Y of the 8-bit output, as ../shared/reference/README.md
defines it) is logged every --val-every iterations on the held-out clips'
Synthesize-mode variant (x264 CRF 34; bicubic downscale for 2x), next to the
degraded input's PSNR-Y (1x) or bicubic's (2x).
"""

import argparse
import hashlib
import json
import math
import os
import signal
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

TIERS = {"super": (24, 8), "mega": (35, 8), "ultra": (64, 8)}


class PReLU(nn.PReLU):
    """nn.PReLU with the same parameter (so the same state dict and the same
    arithmetic: x if x > 0 else weight * x, and the same gradients up to float
    rounding), written with torch.where. On the CPU, PyTorch 1.13's own prelu
    kernels took 44 % of a Super 1x training step (forward 14 %, backward 30 %;
    autograd profiler, batch 16 of 64x64, 1 thread); with this form and NHWC
    the step is about 2x faster. On 2x's smaller feature maps nn.PReLU in NHWC is
    faster, so 2x keeps it (bench_step.py; README, "Time and hardware")."""

    def forward(self, x):
        return torch.where(x > 0, x, x * self.weight.view(1, -1, 1, 1))


class SRVGGNetCompact(nn.Module):
    """Real-ESRGAN's SRVGGNetCompact with PReLU, as basicsr/archs/srvgg_arch.py defines it.

    body: conv(in, nf) + PReLU(nf), num_conv x [conv(nf, nf) + PReLU(nf)],
    conv(nf, out * scale^2); then PixelShuffle(scale) plus the nearest-upsampled
    input. State dict keys are body.N.weight / body.N.bias as in the official
    and the seed models, so SVD Studio's importer detects nf, num_conv, scale.
    """

    def __init__(self, num_in_ch=3, num_out_ch=3, num_feat=64, num_conv=16, upscale=4, act=nn.PReLU):
        super().__init__()
        self.num_in_ch, self.num_out_ch = num_in_ch, num_out_ch
        self.num_feat, self.num_conv, self.upscale = num_feat, num_conv, upscale
        self.body = nn.ModuleList()
        self.body.append(nn.Conv2d(num_in_ch, num_feat, 3, 1, 1))
        self.body.append(act(num_parameters=num_feat))
        for _ in range(num_conv):
            self.body.append(nn.Conv2d(num_feat, num_feat, 3, 1, 1))
            self.body.append(act(num_parameters=num_feat))
        self.body.append(nn.Conv2d(num_feat, num_out_ch * upscale * upscale, 3, 1, 1))
        self.upsampler = nn.PixelShuffle(upscale)

    def forward(self, x):
        out = x
        for layer in self.body:
            out = layer(out)
        out = self.upsampler(out)
        base = F.interpolate(x, scale_factor=self.upscale, mode="nearest")
        return out + base


def load_model(path):
    """An SRVGGNetCompact with the weights of a .safetensors (export.py's) or a .pth
    state dict (torch.load(weights_only=True): no code runs); nf, body convs and
    scale read from the tensors' shapes, as `svd model info` reads them."""
    if path.endswith(".safetensors"):
        tensors, _ = common.read_safetensors(path)
        sd = {k: torch.from_numpy(np.array(v)) for k, v in tensors.items()}
    else:
        ck = torch.load(path, map_location="cpu", weights_only=True)
        sd = ck.get("params_ema", ck.get("params", ck))
        sd = {k.replace("module.", ""): v.float() for k, v in sd.items()}
    last = max(int(k.split(".")[1]) for k in sd)
    scale = int(round((sd["body.%d.weight" % last].shape[0] / 3) ** 0.5))
    m = SRVGGNetCompact(3, 3, sd["body.0.weight"].shape[0], (last - 2) // 2, scale)
    m.load_state_dict(sd)
    return m.eval()


# --------------------------------------------------------------------------- data

class Pairs:
    """All (lq, hq) clips of one split and scale, memory-mapped uint8 arrays."""

    def __init__(self, root, scale, split, canonical_only=False):
        base = os.path.join(root, "pairs", "%dx" % scale, split)
        self.items = []
        if not os.path.isdir(base):
            return
        manifest = common.clip_manifest(root)
        for name in sorted(os.listdir(base)):
            if manifest is not None and "%s/%s" % (split, name.split("__")[0]) not in manifest:
                continue
            vdir = os.path.join(base, name)
            mpath = os.path.join(vdir, "meta.json")
            if not os.path.exists(mpath) or not os.path.exists(os.path.join(vdir, "lq.npy")):
                continue
            meta = common.load_json(mpath)
            if canonical_only and not meta["params"].get("canonical"):
                continue
            cw, ch = meta["params"]["crop"]
            lq = np.load(os.path.join(vdir, "lq.npy"), mmap_mode="r")
            hq = np.load(os.path.normpath(os.path.join(vdir, meta["hq"])), mmap_mode="r")
            assert lq.shape[0] == hq.shape[0] and lq.shape[1] * scale == ch and lq.shape[2] * scale == cw, vdir
            self.items.append((name, lq, hq, meta))

    def __len__(self):
        return len(self.items)


def local_texture(y):
    """Mean standard deviation of the BT.601 luma over the 8x8 blocks of a uint8 RGB
    patch (sides multiples of 8), in code values: high for grass, foliage and fur,
    low for flat areas and smooth gradients, whatever the patch's overall contrast."""
    h, w = y.shape[0] // 8 * 8, y.shape[1] // 8 * 8
    l = y[:h, :w, 0] * 0.299 + y[:h, :w, 1] * 0.587 + y[:h, :w, 2] * 0.114
    return float(l.reshape(h // 8, 8, w // 8, 8).std(axis=(1, 3)).mean())


def sample_batch(pairs, scale, patch, batch, seed, it, texture=(0.0, 0.0)):
    """The batch of iteration `it`: a pure function of (seed, it, texture), so resume is exact.

    texture = (p, t): with probability p a sample must be textured: its clean
    patch's local_texture () at least t, up to 8 draws (the last is kept).
    Uniform draws land mostly on flat cel areas, which the model handles early;
    the error on films such as BBB is in grass, foliage and fur (README)."""
    rng = np.random.default_rng([seed, it])
    lp = patch // scale
    xs = np.empty((batch, lp, lp, 3), np.uint8)
    ys = np.empty((batch, patch, patch, 3), np.uint8)
    tex_p, tex_t = texture
    for b in range(batch):
        tries = 8 if tex_p > 0 and rng.random() < tex_p else 1
        for _ in range(tries):
            _, lq, hq, _ = pairs.items[rng.integers(len(pairs))]
            f = rng.integers(lq.shape[0])
            y0 = rng.integers(lq.shape[1] - lp + 1)
            x0 = rng.integers(lq.shape[2] - lp + 1)
            x = lq[f, y0:y0 + lp, x0:x0 + lp]
            y = hq[f, y0 * scale:(y0 + lp) * scale, x0 * scale:(x0 + lp) * scale]
            if tries == 1 or local_texture(y) >= tex_t:
                break
        # Flips and transposes: the 8 symmetries of the square, same for both.
        k = rng.integers(8)
        if k & 1:
            x, y = x[:, ::-1], y[:, ::-1]
        if k & 2:
            x, y = x[::-1], y[::-1]
        if k & 4:
            x, y = x.transpose(1, 0, 2), y.transpose(1, 0, 2)
        xs[b], ys[b] = x, y
    tx = torch.from_numpy(xs).permute(0, 3, 1, 2).float().div_(255.0)
    ty = torch.from_numpy(ys).permute(0, 3, 1, 2).float().div_(255.0)
    return tx, ty


def to_u8(t):
    """Model output (1, 3, H, W) in [0, 1] -> uint8 (H, W, 3), as a PNG writer rounds it."""
    return (t[0].clamp(0, 1).permute(1, 2, 0).numpy() * 255.0 + 0.5).astype(np.uint8)


class Validator:
    """Held-out PSNR-Y on fixed frames and centre crops of the Synthesize-mode variants."""

    def __init__(self, pairs, scale, crop, frames_per_clip):
        self.scale = scale
        self.samples = []
        for name, lq, hq, _ in pairs.items:
            n = lq.shape[0]
            idx = sorted(set(int(round(k * (n - 1) / max(1, frames_per_clip - 1))) for k in range(frames_per_clip)))
            h, w = lq.shape[1], lq.shape[2]
            ch, cw = min(h, crop), min(w, crop)
            y0, x0 = (h - ch) // 2, (w - cw) // 2
            for f in idx:
                x = np.ascontiguousarray(lq[f, y0:y0 + ch, x0:x0 + cw])
                y = np.ascontiguousarray(hq[f, y0 * scale:(y0 + ch) * scale, x0 * scale:(x0 + cw) * scale])
                self.samples.append((name, f, x, y))
        self.baseline = float(np.mean([common.psnr_y(y, self.base(x)) for _, _, x, y in self.samples])) \
            if self.samples else None

    def base(self, x):
        if self.scale == 1:
            return x
        t = torch.from_numpy(x).permute(2, 0, 1)[None].float() / 255.0
        return to_u8(F.interpolate(t, scale_factor=self.scale, mode="bicubic", align_corners=False))

    @torch.no_grad()
    def __call__(self, model, device):
        """(PSNR-Y of the 8-bit output, PSNR-Y of the unrounded output): early in training
        the correction is below half a code value and only the second one shows it."""
        model.eval()
        ps, pf = [], []
        for _, _, x, y in self.samples:
            t = torch.from_numpy(x).permute(2, 0, 1)[None].float().div_(255.0).to(device)
            o = model(t).cpu()
            ps.append(common.psnr_y(y, to_u8(o)))
            pf.append(common.psnr_y(y, o[0].clamp(0, 1).permute(1, 2, 0).numpy() * 255.0))
        model.train()
        return float(np.mean(ps)), float(np.mean(pf))


# --------------------------------------------------------------------------- training

def lr_at(it, total, lr, warmup, restarts=()):
    """Cosine decay over the schedule; after an --extend, a warm restart
    (SGDR): a new cosine from the restart's peak down over the added part."""
    if restarts:
        start, peak = restarts[-1]
        if it < start + warmup:
            return peak * (it - start + 1) / warmup
        a = min(1.0, (it - start - warmup) / max(1, total - start - warmup))
        return peak * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * a)))
    if it < warmup:
        return lr * (it + 1) / warmup
    a = min(1.0, (it - warmup) / max(1, total - warmup))
    return lr * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * a)))


def edge_l1(out, ref):
    dx = lambda t: t[..., :, 1:] - t[..., :, :-1]  # noqa: E731
    dy = lambda t: t[..., 1:, :] - t[..., :-1, :]  # noqa: E731
    return F.l1_loss(dx(out), dx(ref)) + F.l1_loss(dy(out), dy(ref))


def save_ckpt(path, state):
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", help="data directory (default models/train/data or $SVD_TRAIN_DATA)")
    ap.add_argument("--run", required=True, help="run directory: checkpoints, log, summary")
    ap.add_argument("--tier", choices=sorted(TIERS), default="super")
    ap.add_argument("--scale", type=int, choices=[1, 2], default=1)
    ap.add_argument("--patch", type=int, default=0, help="HQ patch size (default 64 at 1x, 96 at 2x)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--edge-weight", type=float, default=0.0, help="weight of an L1 loss on image gradients")
    ap.add_argument("--texture-p", type=float, default=0.0,
                    help="share of samples drawn again until their clean patch is textured (0: uniform)")
    ap.add_argument("--texture-std", type=float, default=8.0,
                    help="mean 8x8-block luma standard deviation (code values) a textured patch has at least")
    ap.add_argument("--init", help="start from the weights of this model (a .safetensors written by export.py, "
                                   "same tier and scale) instead of random ones: a fine-tuning run")
    ap.add_argument("--iters", type=int, default=0, help="schedule length (0: fill --minutes)")
    ap.add_argument("--extend", type=int, default=0,
                    help="after a finished schedule: add this many iterations with a warm restart of the cosine "
                         "at half the peak learning rate")
    ap.add_argument("--minutes", type=float, default=0, help="training time budget, summed over resumes")
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="torch.set_num_threads")
    ap.add_argument("--device", default="auto", help="auto, cpu, cuda")
    ap.add_argument("--ckpt-every", type=int, default=100)
    ap.add_argument("--val-every", type=int, default=200)
    ap.add_argument("--val-crop", type=int, default=192, help="centre crop (LQ pixels) of each held-out frame")
    ap.add_argument("--val-frames", type=int, default=2, help="held-out frames per clip")
    args = ap.parse_args()
    if args.iters <= 0 and args.minutes <= 0:
        ap.error("give --iters, --minutes or both")

    torch.set_num_threads(max(1, args.threads))
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if args.device == "auto" else args.device))
    root = common.data_dir(args.data)
    patch = args.patch or (64 if args.scale == 1 else 96)
    if patch % args.scale:
        ap.error("--patch must be a multiple of --scale")
    nf, nconv = TIERS[args.tier]

    train = Pairs(root, args.scale, "train")
    held = Pairs(root, args.scale, "heldout", canonical_only=True)
    if not len(train):
        sys.exit("train: no %dx training pairs under %s: run render.py and degrade.py --scale %d"
                 % (args.scale, root, args.scale))
    val = Validator(held, args.scale, args.val_crop, args.val_frames)

    # The config a checkpoint must match to be resumed; anything else is another run.
    config = {"tier": args.tier, "nf": nf, "num_conv": nconv, "scale": args.scale, "patch": patch,
              "batch": args.batch, "lr": args.lr, "warmup": args.warmup, "edge_weight": args.edge_weight,
              "seed": args.seed, "loss": "L1" + (" + %g*gradient L1" % args.edge_weight if args.edge_weight else "")}
    init = None
    if args.init:
        tensors, init_meta = common.read_safetensors(args.init)
        with open(args.init, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        # Only present for fine-tuning runs, so older checkpoints still resume. A resume
        # needs --init again but takes the record from the checkpoint (below).
        config["init"] = {"model": os.path.basename(args.init), "sha256": digest,
                          "iterations": int(init_meta.get("iterations", 0) or 0)}
        init = {k: torch.from_numpy(np.array(v)) for k, v in tensors.items()}
    os.makedirs(args.run, exist_ok=True)
    ckpt_path = os.path.join(args.run, "last.pt")
    log_path = os.path.join(args.run, "log.jsonl")

    torch.manual_seed(args.seed)
    # The PReLU form that trains faster at this scale (same arithmetic; PReLU's docstring).
    model = SRVGGNetCompact(3, 3, nf, nconv, args.scale, act=PReLU if args.scale == 1 else nn.PReLU)
    # He initialisation for PReLU(0.25), zero biases, and the last conv scaled
    # by 0.01 so the start is close to the identity (nearest upsampling).
    # PyTorch's default init (what Real-ESRGAN uses) shrinks the signal ~2x per
    # layer: through 10 convs the body's output and its gradients all but
    # vanish, and learning stalls. Measured on one fixed batch (8x64x64, 1x,
    # lr 5e-4, identity L1 0.01549): default init 0.01792 -> 0.01560 after 150
    # steps (still worse than the identity), this init 0.01637 -> 0.01507.
    for layer in model.body:
        if isinstance(layer, nn.Conv2d):
            nn.init.kaiming_normal_(layer.weight, a=0.25, mode="fan_in", nonlinearity="leaky_relu")
            nn.init.zeros_(layer.bias)
    with torch.no_grad():
        model.body[-1].weight.mul_(0.01)
    if init is not None:
        try:
            model.load_state_dict(init)
        except RuntimeError as e:
            sys.exit("train: --init %s is not a %s %dx model: %s" % (args.init, args.tier, args.scale, e))
    # NHWC: oneDNN's convolutions are faster on it (the batches already are).
    model.to(device, memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.99))
    it, spent, total = 0, 0.0, args.iters
    restarts = []
    # The training clip set over the run: [(iteration, clips, pairs)], one entry
    # more each time a resume finds another set (e.g. new photos added).
    clip_set = sorted({n.split("__")[0] for n, _, _, _ in train.items})
    recipes = sorted({m["params"].get("version", 0) for _, _, _, m in train.items})
    if len(recipes) > 1:
        sys.exit("train: the training pairs mix degradation recipes %s: run degrade.py again" % recipes)
    recipe = recipes[0] if recipes else 0
    data_history = [(0, len(clip_set), len(train), recipe)]
    texture = (args.texture_p, args.texture_std if args.texture_p > 0 else 0.0)
    sampling_history = [(0,) + texture]
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path, map_location=device)
        if "init" in ck["config"] and "init" in config:
            # The weights come from the checkpoint now; the start file may since have been
            # overwritten (train.sh exports over it), so keep the record of the one used.
            config["init"] = ck["config"]["init"]
        if ck["config"] != config:
            sys.exit("train: %s holds another run's checkpoint (%s); use another --run or delete it"
                     % (ckpt_path, json.dumps(ck["config"])))
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        it, spent, total = ck["iter"], ck["seconds"], ck["total_iters"]
        restarts = [tuple(r) for r in ck.get("restarts", [])]
        # Checkpoints from before this record start with the current set.
        # Checkpoints from before recipes were recorded were made with recipe 2.
        data_history = [tuple(d) + (2,) * (4 - len(d)) for d in ck.get("data_history", data_history)]
        if (ck.get("clip_set") is not None and ck["clip_set"] != clip_set) or data_history[-1][3] != recipe:
            data_history.append((it, len(clip_set), len(train), recipe))
            print("train: the training set changed at iteration %d: now %d clips (%d pairs), degradation recipe %d"
                  % (it, len(clip_set), len(train), recipe), flush=True)
        sampling_history = [tuple(h) for h in ck.get("sampling_history", [(0, 0.0, 0.0)])]
        if tuple(sampling_history[-1][1:]) != texture:
            sampling_history.append((it,) + texture)
            print("train: patch sampling changed at iteration %d: textured share %.2f, local texture >= %g"
                  % ((it,) + texture), flush=True)
        if args.extend > 0 and total and it >= total:
            restarts.append((it, args.lr * 0.5))
            total = it + args.extend
            print("train: schedule finished at %d; extended to %d with a warm restart at lr %.2e"
                  % (it, total, args.lr * 0.5), flush=True)
        if args.iters and args.iters != total:
            print("train: keeping the checkpoint's schedule of %d iterations" % total)
        print("train: resumed %s at iteration %d (%.1f min trained)" % (ckpt_path, it, spent / 60), flush=True)

    nparams = sum(p.numel() for p in model.parameters())
    print("train: %s %dx nf %d convs %d (%d params), %d train pairs, %d held-out samples, patch %d batch %d, "
          "%d threads on %s" % (args.tier, args.scale, nf, nconv, nparams, len(train), len(val.samples),
                                patch, args.batch, torch.get_num_threads(), device), flush=True)
    if val.baseline is not None:
        print("train: held-out PSNR-Y of the %s: %.3f dB" % ("input" if args.scale == 1 else "bicubic upscale",
                                                               val.baseline), flush=True)

    stop = {"sig": None}

    def on_signal(signum, _frame):
        stop["sig"] = signum
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def checkpoint():
        save_ckpt(ckpt_path, {"model": model.state_dict(), "opt": opt.state_dict(), "iter": it,
                              "seconds": spent, "total_iters": total, "config": config,
                              "restarts": restarts, "clip_set": clip_set,
                              "data_history": data_history, "sampling_history": sampling_history})

    def log(rec):
        rec["iter"], rec["minutes"] = it, round(spent / 60, 3)
        with open(log_path, "a") as f:
            f.write(json.dumps(rec) + "\n")

    calib_start = None
    loss_acc, loss_n = 0.0, 0
    last_val = None
    model.train()
    t_last = time.monotonic()
    while True:
        if total and it >= total:
            break
        if args.minutes and spent >= args.minutes * 60:
            print("train: time budget of %.1f min reached at iteration %d" % (args.minutes, it), flush=True)
            break
        if stop["sig"] is not None:
            break
        if not total and calib_start is None:
            calib_start = (it, spent)
        x, y = sample_batch(train, args.scale, patch, args.batch, args.seed, it, texture)
        x = x.to(device, memory_format=torch.channels_last)
        y = y.to(device, memory_format=torch.channels_last)
        for g in opt.param_groups:
            g["lr"] = lr_at(it, total or 10 ** 9, args.lr, args.warmup, restarts)
        out = model(x)
        loss = F.l1_loss(out, y)
        if args.edge_weight:
            loss = loss + args.edge_weight * edge_l1(out, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        it += 1
        now = time.monotonic()
        spent += now - t_last
        t_last = now
        loss_acc += float(loss)
        loss_n += 1
        if not total and it - calib_start[0] >= 50:
            per = (spent - calib_start[1]) / (it - calib_start[0])
            total = max(it + 1, int(args.minutes * 60 / per * 0.9))  # slack: validation, checkpoints, load
            print("train: %.3f s/iteration -> schedule of %d iterations for %.1f min" % (per, total, args.minutes),
                  flush=True)
        if it % args.ckpt_every == 0 or it == 1:
            rec = {"loss": round(loss_acc / loss_n, 6), "lr": opt.param_groups[0]["lr"],
                   "s_per_iter": round(spent / it, 4) if it else None}
            print("train: iter %d loss %.5f lr %.2e (%.1f min)" % (it, rec["loss"], rec["lr"], spent / 60), flush=True)
            log(rec)
            loss_acc, loss_n = 0.0, 0
            checkpoint()
        if it % args.val_every == 0 and val.samples:
            v0 = time.monotonic()
            last_val, val_float = val(model, device)
            print("train: iter %d held-out PSNR-Y %.3f dB (%s %.3f, %+.3f dB; unrounded output %.3f dB)" % (
                it, last_val, "input" if args.scale == 1 else "bicubic", val.baseline,
                last_val - val.baseline, val_float), flush=True)
            log({"val_psnr_y": round(last_val, 4), "val_psnr_y_unrounded": round(val_float, 4),
                 "baseline_psnr_y": round(val.baseline, 4)})
            spent += time.monotonic() - v0
            t_last = time.monotonic()

    if loss_n:
        log({"loss": round(loss_acc / loss_n, 6), "lr": opt.param_groups[0]["lr"]})
    checkpoint()
    if stop["sig"] is not None:
        print("train: stopped by signal %d at iteration %d; checkpoint saved, run again to resume"
              % (stop["sig"], it), flush=True)
        sys.exit(128 + stop["sig"])
    finished = bool(total) and it >= total
    if val.samples:
        last_val, val_float = val(model, device)
        log({"val_psnr_y": round(last_val, 4), "val_psnr_y_unrounded": round(val_float, 4),
             "baseline_psnr_y": round(val.baseline, 4), "final": True})
    summary = dict(config)
    summary.update({
        "iterations": it, "total_iters": total, "finished_schedule": finished,
        "warm_restarts": [{"at_iter": a, "peak_lr": p} for a, p in restarts],
        "data_history": [{"from_iter": a, "clips": c, "pairs": n, "degrade_recipe": r} for a, c, n, r in data_history],
        "sampling_history": [{"from_iter": a, "textured_share": p, "min_local_texture": t}
                             for a, p, t in sampling_history],
        "train_minutes": round(spent / 60, 2), "s_per_iter": round(spent / max(1, it), 4),
        "threads": torch.get_num_threads(), "device": str(device), "torch": torch.__version__,
        "train_pairs": len(train), "train_clips": clip_set,
        "heldout_psnr_y": None if last_val is None else round(last_val, 4),
        "heldout_baseline_psnr_y": None if val.baseline is None else round(val.baseline, 4),
        "heldout_baseline": "degraded input" if args.scale == 1 else "bicubic (torch, a=-0.75)",
        "heldout_samples": len(val.samples),
        "degradations": sorted({json.dumps({k: m["params"][k] for k in ("codec", "filter")})
                                for _, _, _, m in train.items}),
    })
    common.save_json(os.path.join(args.run, "summary.json"), summary)
    print("train: done, %d iterations in %.1f min; held-out PSNR-Y %s dB vs %s %s dB" % (
        it, spent / 60, summary["heldout_psnr_y"], summary["heldout_baseline"], summary["heldout_baseline_psnr_y"]),
        flush=True)


if __name__ == "__main__":
    main()
