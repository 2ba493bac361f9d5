#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Times one training step (forward, L1, backward, Adam) of a Super model on the CPU
for each PReLU form and memory format, as train.py chooses between them.

    /usr/bin/python3 models/train/bench_step.py [--threads N] [--steps N]

Random data of train.py's shapes (batch 16; 64x64 at 1x, 48x48 -> 96x96 at 2x);
the first 5 steps are not timed. The forms compute the same thing (train.PReLU's
docstring); only the time differs.
"""

import argparse
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402


def step_time(scale, act, channels_last, steps, batch=16):
    lp = 64 if scale == 1 else 48
    torch.manual_seed(0)
    m = train.SRVGGNetCompact(3, 3, 24, 8, scale, act=act)
    x = torch.rand(batch, 3, lp, lp)
    y = torch.rand(batch, 3, lp * scale, lp * scale)
    if channels_last:
        m = m.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
        y = y.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.Adam(m.parameters(), 1e-4)
    for i in range(steps + 5):
        if i == 5:
            t = time.perf_counter()
        loss = F.l1_loss(m(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return (time.perf_counter() - t) / steps


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--steps", type=int, default=30)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print("bench_step: torch %s, %d threads" % (torch.__version__, torch.get_num_threads()))
    for scale in (1, 2):
        for name, act in (("nn.PReLU", nn.PReLU), ("train.PReLU (torch.where)", train.PReLU)):
            for cl in (False, True):
                print("super %dx  %-26s %-14s %.3f s/step" % (scale, name, "channels_last" if cl else "contiguous",
                                                             step_time(scale, act, cl, args.steps)), flush=True)


if __name__ == "__main__":
    main()
