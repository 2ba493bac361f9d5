#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Renders the project's own animation-like training and held-out clips with cairo.

Every clip is a pure function of its seed (and the installed fonts and cairo),
so the data never has to be shipped: anyone re-renders it bit for bit.

Two kinds of clips:
  r<seed>   cel-style scenes: sky gradients, hills, flat-colour shapes with dark
            outlines and cel shadows, thin lines and hatching, speed lines,
            subtitles and signs of many sizes, all moving (translation,
            rotation, scaling) under a panning camera with parallax;
  p-<name>  a freely licensed still image (DATA-LICENSES.md) under a slow
            pan/zoom camera, with a few cel shapes and a subtitle over it;
  n<k>      with --nature N (an experiment, off by default): soft-shaded
            "3D animation" scenes (nature.py): swaying grass, leafy trees,
            furry characters, depth-of-field blur.

Training clips use seeds 0..N-1, held-out clips seeds from 1 000 000 up, and
the held-out photo clips use images no training clip uses: nothing held out
is ever trained on.

Output: DATA/clean/<split>/<clip>/NNNN.png (lossless PNG frames) + clip.json.
"""

import argparse
import math
import os
import random
import sys

import cairo
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import nature  # noqa: E402

FONTS = ["DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono", "DejaVu Sans Condensed",
         "Liberation Sans", "Liberation Serif", "Liberation Mono", "Cantarell", "Quicksand"]

WORDS = ("the quick brown fox jumps over lazy dog episode chapter opening ending "
         "sakura station tomorrow never again hello world remember summer night "
         "dragon castle forest river academy festival 2026 001 ROUND FIGHT GO "
         "Are you sure? I'll be right back! Wait for me... What was that?! "
         "mission complete level up bonus stage next time on studio credits").split()

# Freely licensed still images from Debian packages (see DATA-LICENSES.md).
SKIMAGE = "/usr/lib/python3/dist-packages/skimage/data"
DESKTOP = "/usr/share/desktop-base"
PHOTOS = {
    "astronaut": SKIMAGE + "/astronaut.png",
    "chelsea": SKIMAGE + "/chelsea.png",
    "rocket": SKIMAGE + "/rocket.jpg",
    "camera": SKIMAGE + "/camera.png",
    "brick": SKIMAGE + "/brick.png",
    "gravel": SKIMAGE + "/gravel.png",
    "grass": SKIMAGE + "/grass.png",
    "text": SKIMAGE + "/text.png",
    "hubble": SKIMAGE + "/hubble_deep_field.jpg",
    "coffee": SKIMAGE + "/coffee.png",
    "emerald": DESKTOP + "/emerald-theme/grub/grub-16x9.png",
    "futureprototype": DESKTOP + "/futureprototype-theme/grub/grub-16x9.png",
    "homeworld": DESKTOP + "/homeworld-theme/grub/grub-16x9.png",
    "joy": DESKTOP + "/joy-theme/grub/grub-16x9.png",
    "lines": DESKTOP + "/lines-theme/grub/grub-16x9.png",
    "moonlight": DESKTOP + "/moonlight-theme/grub/grub-16x9.png",
    "softwaves": DESKTOP + "/softwaves-theme/grub/grub-16x9.png",
}
# Natural photographs (foliage, water, grass, fur, sand, stone): the first set is
# mostly flat artwork, and a model trained on it smooths away fine natural
# texture (Big Buck Bunny's grass and fur). Seeds of the first set stay as they
# were; these get their own seed range. Licences: DATA-LICENSES.md.
KDE = "/usr/share/wallpapers"
MATE = "/usr/share/backgrounds/mate/nature"
NATURE_PHOTOS = {
    "kde-autumn": KDE + "/Autumn/contents/images/2560x1600.jpg",
    "kde-bythewater": KDE + "/BytheWater/contents/images/2560x1600.jpg",
    "kde-coldripple": KDE + "/ColdRipple/contents/images/2560x1600.jpg",
    "kde-colorfulcups": KDE + "/ColorfulCups/contents/images/2560x1600.jpg",
    "kde-darkesthour": KDE + "/DarkestHour/contents/images/2560x1600.jpg",
    "kde-eveningglow": KDE + "/EveningGlow/contents/images/2560x1600.jpg",
    "kde-fallenleaf": KDE + "/FallenLeaf/contents/images/2560x1600.jpg",
    "kde-grey": KDE + "/Grey/contents/images/2560x1600.jpg",
    "kde-kite": KDE + "/Kite/contents/images/2560x1600.jpg",
    "kde-onestandsout": KDE + "/OneStandsOut/contents/images/2560x1600.jpg",
    "kde-path": KDE + "/Path/contents/images/2560x1600.jpg",
    "kde-summer1am": KDE + "/summer_1am/contents/images/2560x1600.jpg",
    "mate-aqua": MATE + "/Aqua.jpg",
    "mate-blinds": MATE + "/Blinds.jpg",
    "mate-dune": MATE + "/Dune.jpg",
    "mate-freshflower": MATE + "/FreshFlower.jpg",
    "mate-garden": MATE + "/Garden.jpg",
    "mate-greenmeadow": MATE + "/GreenMeadow.jpg",
    "mate-ladybird": MATE + "/LadyBird.jpg",
    "mate-raindrops": MATE + "/RainDrops.jpg",
    "mate-storm": MATE + "/Storm.jpg",
    "mate-twowings": MATE + "/TwoWings.jpg",
    "mate-wood": MATE + "/Wood.jpg",
    "mate-yellowflower": MATE + "/YellowFlower.jpg",
}
NATURE_SEED_OFFSET = 100
ALL_PHOTOS = {**PHOTOS, **NATURE_PHOTOS}
NATURE_SCENE_SEED = 600_000
HELDOUT_PHOTOS = ["coffee", "futureprototype"]


# --------------------------------------------------------------------------- colours

def hsv(h, s, v):
    i = int(h * 6) % 6
    f = h * 6 - int(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    return [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i]


def palette(rng, n):
    """A harmonious palette: a few base hues with varied saturation/value, as cel art has."""
    base = rng.random()
    hues = [(base + rng.choice([0, 0.08, 0.33, 0.5, 0.58, 0.66]) + rng.uniform(-0.03, 0.03)) % 1
            for _ in range(n)]
    return [hsv(h, rng.uniform(0.25, 0.95), rng.uniform(0.45, 1.0)) for h in hues]


def darker(c, k=0.6):
    return tuple(x * k for x in c)


# --------------------------------------------------------------------------- shapes

def path_shape(cr, kind, rng_params, r):
    """Adds a closed path centred on the origin with radius ~r."""
    if kind == "ellipse":
        cr.save()
        cr.scale(1.0, rng_params["aspect"])
        cr.arc(0, 0, r, 0, 2 * math.pi)
        cr.restore()
    elif kind == "rrect":
        w, h = r * 1.6, r * 1.6 * rng_params["aspect"]
        rad = min(w, h) * rng_params["round"]
        x, y = -w / 2, -h / 2
        cr.new_sub_path()
        cr.arc(x + w - rad, y + rad, rad, -math.pi / 2, 0)
        cr.arc(x + w - rad, y + h - rad, rad, 0, math.pi / 2)
        cr.arc(x + rad, y + h - rad, rad, math.pi / 2, math.pi)
        cr.arc(x + rad, y + rad, rad, math.pi, 1.5 * math.pi)
        cr.close_path()
    elif kind == "star":
        n = rng_params["points"]
        for i in range(2 * n):
            a = math.pi * i / n
            rr = r if i % 2 == 0 else r * rng_params["inner"]
            (cr.move_to if i == 0 else cr.line_to)(rr * math.cos(a), rr * math.sin(a))
        cr.close_path()
    elif kind == "polygon":
        n = rng_params["points"]
        for i in range(n):
            a = 2 * math.pi * i / n
            (cr.move_to if i == 0 else cr.line_to)(r * math.cos(a), r * math.sin(a))
        cr.close_path()
    else:  # blob: a closed Bezier through jittered radii
        radii = rng_params["radii"]
        n = len(radii)
        pts = [(r * radii[i] * math.cos(2 * math.pi * i / n), r * radii[i] * math.sin(2 * math.pi * i / n))
               for i in range(n)]
        cr.move_to(*pts[0])
        for i in range(n):
            p0, p1 = pts[i], pts[(i + 1) % n]
            pm1, p2 = pts[i - 1], pts[(i + 2) % n]
            c1 = (p0[0] + (p1[0] - pm1[0]) / 6, p0[1] + (p1[1] - pm1[1]) / 6)
            c2 = (p1[0] - (p2[0] - p0[0]) / 6, p1[1] - (p2[1] - p0[1]) / 6)
            cr.curve_to(c1[0], c1[1], c2[0], c2[1], p1[0], p1[1])
        cr.close_path()


class Actor:
    """A cel-shaded shape with its own motion: drift, bob, spin and pulse."""

    def __init__(self, rng, W, H, colours, unit):
        self.kind = rng.choice(["ellipse", "rrect", "star", "polygon", "blob", "blob", "character"])
        self.params = {
            "aspect": rng.uniform(0.5, 1.5), "round": rng.uniform(0.05, 0.45),
            "points": rng.randint(3, 8), "inner": rng.uniform(0.35, 0.7),
            "radii": [rng.uniform(0.7, 1.25) for _ in range(rng.randint(5, 9))],
        }
        self.r = unit * rng.uniform(0.03, 0.22)
        self.x0, self.y0 = rng.uniform(-0.2, 1.2) * W, rng.uniform(0.0, 1.0) * H
        speed = unit * rng.choice([0, 0.002, 0.006, 0.015, 0.03])
        ang = rng.uniform(0, 2 * math.pi)
        self.vx, self.vy = speed * math.cos(ang), speed * math.sin(ang)
        self.bob, self.bob_f = unit * rng.uniform(0, 0.02), rng.uniform(0.05, 0.4)
        self.rot0, self.vrot = rng.uniform(0, 2 * math.pi), rng.choice([0, 0, 0.01, 0.04, 0.1]) * rng.choice([-1, 1])
        self.pulse, self.pulse_f = rng.choice([0, 0, 0.05, 0.15]), rng.uniform(0.05, 0.3)
        self.fill = rng.choice(colours)
        self.line = darker(rng.choice(colours), rng.uniform(0.0, 0.3))
        self.lw = max(0.6, unit * rng.choice([0.0015, 0.003, 0.005, 0.008]))
        self.shade = rng.random() < 0.7
        self.shade_dx, self.shade_dy = rng.uniform(-0.5, 0.5), rng.uniform(0.1, 0.6)
        self.highlight = rng.random() < 0.4
        self.hatch = rng.random() < 0.2
        self.parallax = rng.choice([0.6, 1.0, 1.0, 1.3])

    def draw(self, cr, t, cam):
        cr.save()
        cr.translate(self.x0 + self.vx * t - cam[0] * self.parallax,
                     self.y0 + self.vy * t + self.bob * math.sin(self.bob_f * t) - cam[1] * self.parallax)
        cr.rotate(self.rot0 + self.vrot * t)
        s = 1.0 + self.pulse * math.sin(self.pulse_f * t)
        cr.scale(s, s)
        kind = "ellipse" if self.kind == "character" else self.kind
        path_shape(cr, kind, self.params, self.r)
        cr.set_source_rgb(*self.fill)
        cr.fill_preserve()
        if self.shade or self.hatch:
            cr.save()
            cr.clip_preserve()
            cr.new_path()
            if self.shade:
                # Cel shadow: the shape shifted and clipped to itself, in a darker flat tone.
                cr.translate(self.r * self.shade_dx, self.r * self.shade_dy)
                path_shape(cr, kind, self.params, self.r)
                cr.set_fill_rule(cairo.FILL_RULE_EVEN_ODD)
                cr.rectangle(-3 * self.r, -3 * self.r, 6 * self.r, 6 * self.r)
                cr.set_source_rgb(*darker(self.fill, 0.72))
                cr.fill()
                cr.set_fill_rule(cairo.FILL_RULE_WINDING)
            if self.hatch:
                cr.set_source_rgba(*self.line, 0.8)
                cr.set_line_width(max(0.5, self.lw * 0.4))
                step = max(2.0, self.r * 0.12)
                k = -2 * self.r
                while k < 2 * self.r:
                    cr.move_to(k, -2 * self.r)
                    cr.line_to(k + 2 * self.r, 2 * self.r)
                    k += step
                cr.stroke()
            cr.restore()
            path_shape(cr, kind, self.params, self.r)
        if self.highlight:
            cr.save()
            cr.clip_preserve()
            cr.new_path()
            cr.arc(-self.r * 0.35, -self.r * 0.4, self.r * 0.18, 0, 2 * math.pi)
            cr.set_source_rgba(1, 1, 1, 0.85)
            cr.fill()
            cr.restore()
            path_shape(cr, kind, self.params, self.r)
        cr.set_source_rgb(*self.line)
        cr.set_line_width(self.lw)
        cr.set_line_join(cairo.LINE_JOIN_ROUND)
        cr.stroke()
        if self.kind == "character":
            # Two eyes with pupils: small high-contrast detail that compression smears.
            for sx in (-0.35, 0.35):
                cr.arc(self.r * sx, -self.r * 0.15, self.r * 0.2, 0, 2 * math.pi)
                cr.set_source_rgb(1, 1, 1)
                cr.fill_preserve()
                cr.set_source_rgb(*self.line)
                cr.set_line_width(self.lw * 0.7)
                cr.stroke()
                cr.arc(self.r * sx + self.r * 0.05, -self.r * 0.12, self.r * 0.08, 0, 2 * math.pi)
                cr.fill()
            cr.move_to(-self.r * 0.3, self.r * 0.35)
            cr.curve_to(-self.r * 0.1, self.r * 0.5, self.r * 0.1, self.r * 0.5, self.r * 0.3, self.r * 0.35)
            cr.stroke()
        cr.restore()


class Caption:
    """Text of one size and style: subtitle, sign, scrolling credits or tiny print."""

    def __init__(self, rng, W, H, colours, unit):
        self.style = rng.choice(["subtitle", "sign", "credits", "tiny", "title"])
        n = rng.randint(1, 6)
        self.text = " ".join(rng.choice(WORDS) for _ in range(n))
        self.font = rng.choice(FONTS)
        self.bold = rng.random() < 0.4
        self.italic = rng.random() < 0.2
        size = {"subtitle": (0.045, 0.07), "sign": (0.03, 0.12), "credits": (0.025, 0.05),
                "tiny": (0.018, 0.03), "title": (0.1, 0.2)}[self.style]
        self.size = max(8.0, H * rng.uniform(*size))
        self.x = rng.uniform(0.02, 0.6) * W
        self.y = (H * rng.uniform(0.85, 0.95)) if self.style == "subtitle" else rng.uniform(0.1, 0.95) * H
        self.vx = rng.choice([0, 0, 0.5, -1.5]) * unit * 0.004
        self.vy = -unit * 0.004 * rng.uniform(0.5, 2) if self.style == "credits" else 0
        self.rot = rng.uniform(-0.3, 0.3) if self.style in ("sign", "title") else 0
        self.fill = (1, 1, 1) if self.style == "subtitle" and rng.random() < 0.7 else rng.choice(colours)
        self.outline = rng.random() < (0.85 if self.style in ("subtitle", "title") else 0.3)
        self.ol = darker(rng.choice(colours), 0.15) if rng.random() < 0.5 else (0, 0, 0)
        self.olw = max(1.0, self.size * rng.uniform(0.06, 0.16))
        self.screen = self.style in ("subtitle", "credits")  # fixed to the screen, not the world

    def draw(self, cr, t, cam):
        cr.save()
        ox, oy = (0, 0) if self.screen else cam
        cr.translate(self.x + self.vx * t - ox, self.y + self.vy * t - oy)
        cr.rotate(self.rot)
        cr.select_font_face(self.font, cairo.FONT_SLANT_ITALIC if self.italic else cairo.FONT_SLANT_NORMAL,
                            cairo.FONT_WEIGHT_BOLD if self.bold else cairo.FONT_WEIGHT_NORMAL)
        cr.set_font_size(self.size)
        cr.move_to(0, 0)
        cr.text_path(self.text)
        if self.outline:
            cr.set_source_rgb(*self.ol)
            cr.set_line_width(self.olw)
            cr.set_line_join(cairo.LINE_JOIN_ROUND)
            cr.stroke_preserve()
        cr.set_source_rgb(*self.fill)
        cr.fill()
        cr.restore()


class Lines:
    """Thin lines: hatching fields, speed lines, grids, wires."""

    def __init__(self, rng, W, H, colours, unit):
        self.kind = rng.choice(["hatch", "speed", "grid", "wires"])
        self.x, self.y = rng.uniform(0, W), rng.uniform(0, H)
        self.w, self.h = rng.uniform(0.1, 0.5) * W, rng.uniform(0.1, 0.5) * H
        self.step = rng.uniform(2.0, 9.0)
        self.angle = rng.uniform(0, math.pi)
        self.lw = rng.choice([0.5, 0.8, 1.0, 1.5, 2.0])
        self.colour = darker(rng.choice(colours), rng.uniform(0.1, 1.0))
        self.alpha = rng.uniform(0.5, 1.0)
        self.vx = rng.choice([0, 1, -2, 4]) * unit * 0.002
        self.seed = rng.random()
        self.n = rng.randint(8, 40)

    def draw(self, cr, t, cam):
        cr.save()
        cr.translate(self.x + self.vx * t - cam[0], self.y - cam[1])
        cr.set_source_rgba(*self.colour, self.alpha)
        cr.set_line_width(self.lw)
        r = random.Random(self.seed)
        if self.kind == "hatch":
            cr.rectangle(0, 0, self.w, self.h)
            cr.clip()
            cr.rotate(self.angle)
            d = math.hypot(self.w, self.h)
            k = -d
            while k < d:
                cr.move_to(k, -d)
                cr.line_to(k, d)
                k += self.step
            cr.stroke()
        elif self.kind == "speed":
            for _ in range(self.n):
                y = r.uniform(0, self.h)
                x = r.uniform(0, self.w) + 40 * math.sin(t * 0.7 + y)
                cr.move_to(x, y)
                cr.line_to(x + r.uniform(0.2, 1.0) * self.w, y)
            cr.stroke()
        elif self.kind == "grid":
            step = self.step * 3
            x = 0.0
            while x < self.w:
                cr.move_to(x, 0)
                cr.line_to(x, self.h)
                x += step
            y = 0.0
            while y < self.h:
                cr.move_to(0, y)
                cr.line_to(self.w, y)
                y += step
            cr.stroke()
        else:
            for i in range(max(2, self.n // 8)):
                y0 = r.uniform(0, self.h)
                cr.move_to(-self.w, y0)
                cr.curve_to(0, y0 + 30, self.w, y0 + 30 + 5 * math.sin(t * 0.2 + i), 2 * self.w, y0)
            cr.stroke()
        cr.restore()


def draw_background(cr, rng_bg, W, H, cam, colours):
    kind = rng_bg["kind"]
    if kind == "sky":
        g = cairo.LinearGradient(0, 0, 0, H)
        for stop, c in rng_bg["stops"]:
            g.add_color_stop_rgb(stop, *c)
        cr.set_source(g)
    elif kind == "radial":
        cx, cy = rng_bg["centre"]
        g = cairo.RadialGradient(cx * W - cam[0] * 0.2, cy * H, 0, cx * W - cam[0] * 0.2, cy * H, max(W, H))
        for stop, c in rng_bg["stops"]:
            g.add_color_stop_rgb(stop, *c)
        cr.set_source(g)
    else:
        cr.set_source_rgb(*rng_bg["flat"])
    cr.paint()
    # Sun/moon and clouds in the far layer; hills in layers with parallax.
    if rng_bg["sun"]:
        sx, sy, sr = rng_bg["sun"]
        cr.arc(sx * W - cam[0] * 0.1, sy * H - cam[1] * 0.1, sr * H, 0, 2 * math.pi)
        cr.set_source_rgba(1, 0.97, 0.85, 0.95)
        cr.fill()
    for (cx, cy, cw, par) in rng_bg["clouds"]:
        x = cx * W * 1.5 - cam[0] * par
        y = cy * H - cam[1] * par
        cr.new_sub_path()
        for k in range(4):
            cr.arc(x + k * cw * H * 0.5, y + (k % 2) * cw * H * 0.15, cw * H * 0.4, 0, 2 * math.pi)
        cr.set_source_rgba(1, 1, 1, 0.9)
        cr.fill()
    for (base, amp, freq, phase, col, par, lw) in rng_bg["hills"]:
        cr.move_to(-10, H + 10)
        x = -10.0
        while x <= W + 10:
            wx = x + cam[0] * par
            cr.line_to(x, base * H + amp * H * math.sin(freq * wx / W * 2 * math.pi + phase) - cam[1] * par)
            x += 8
        cr.line_to(W + 10, H + 10)
        cr.close_path()
        cr.set_source_rgb(*col)
        cr.fill_preserve()
        cr.set_source_rgb(*darker(col, 0.35))
        cr.set_line_width(lw)
        cr.stroke()


def make_background(rng, colours):
    kind = rng.choice(["sky", "sky", "radial", "flat"])
    top = hsv(rng.uniform(0.5, 0.7), rng.uniform(0.3, 0.9), rng.uniform(0.5, 1.0))
    bottom = hsv(rng.uniform(0.0, 0.15) if rng.random() < 0.4 else rng.uniform(0.5, 0.65),
                 rng.uniform(0.1, 0.6), rng.uniform(0.7, 1.0))
    stops = [(0.0, top), (1.0, bottom)]
    if rng.random() < 0.5:
        stops.insert(1, (rng.uniform(0.3, 0.7), rng.choice(colours)))
    return {
        "kind": kind, "stops": stops, "centre": (rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8)),
        "flat": rng.choice(colours),
        "sun": (rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.4), rng.uniform(0.04, 0.12)) if rng.random() < 0.5 else None,
        "clouds": [(rng.uniform(-0.2, 1.0), rng.uniform(0.05, 0.45), rng.uniform(0.05, 0.15), rng.uniform(0.1, 0.4))
                   for _ in range(rng.randint(0, 5))],
        "hills": [(rng.uniform(0.55, 0.9), rng.uniform(0.02, 0.12), rng.uniform(0.5, 3), rng.uniform(0, 6),
                   rng.choice(colours), 0.3 + 0.3 * i, rng.choice([0.8, 1.5, 2.5]))
                  for i in range(rng.randint(0, 3))],
    }


# --------------------------------------------------------------------------- clips

def load_photo(name):
    """Loads a source image as a cairo surface (RGB24), through FFmpeg (PNG and JPEG alike)."""
    rgb = common.ffmpeg_read_rgb(ALL_PHOTOS[name])[0]
    h, w, _ = rgb.shape
    bgrx = np.zeros((h, w, 4), np.uint8)
    bgrx[..., 0], bgrx[..., 1], bgrx[..., 2] = rgb[..., 2], rgb[..., 1], rgb[..., 0]
    bgrx[..., 3] = 255
    stride = cairo.ImageSurface.format_stride_for_width(cairo.FORMAT_RGB24, w)
    assert stride == w * 4
    return cairo.ImageSurface.create_for_data(bytearray(bgrx.tobytes()), cairo.FORMAT_RGB24, w, h, stride)


def frame_size(rng, size):
    if size != "mixed":
        w, h = size.split("x")
        return int(w), int(h)
    return rng.choice([(640, 360), (640, 360), (1280, 720)])


def render_clip(seed, outdir, frames, size, photo=None):
    rng = random.Random(seed)
    W, H = frame_size(rng, size)
    unit = math.hypot(W, H) / math.hypot(640, 360) * 400  # geometry follows the frame size
    colours = palette(rng, 8)
    cam_v = (rng.choice([0, 0.5, 2, 5, -3]) * unit / 400, rng.choice([0, 0, 0.5, -1]) * unit / 400)
    shake = rng.choice([0, 0, 0, 1.5])
    bg = make_background(rng, colours)
    n_act = rng.randint(1, 4) if photo else rng.randint(4, 14)
    actors = [Actor(rng, W, H, colours, unit) for _ in range(n_act)]
    lines = [Lines(rng, W, H, colours, unit) for _ in range(0 if photo else rng.randint(0, 4))]
    captions = [Caption(rng, W, H, colours, unit) for _ in range(rng.randint(0, 1) if photo else rng.randint(1, 5))]
    layers = sorted(actors + lines, key=lambda a: rng.random())
    if photo:
        img = load_photo(photo)
        iw, ih = img.get_width(), img.get_height()
        # Never magnify a photo: an upscaled photo is a blurry target. Small
        # images get a smaller frame (even sizes, as 4:2:0 needs) instead.
        W, H = min(W, iw // 2 * 2), min(H, ih // 2 * 2)
        cover = max(W / iw, H / ih)
        zmax = max(1.0, min(1.5, 1.0 / cover))
        z0, z1 = rng.uniform(1.0, zmax), rng.uniform(1.0, zmax)
        fx0, fy0, fx1, fy1 = (rng.random() for _ in range(4))

    os.makedirs(outdir, exist_ok=True)
    surf = cairo.ImageSurface(cairo.FORMAT_RGB24, W, H)
    for i in range(frames):
        t = float(i)
        cam = (cam_v[0] * t + shake * math.sin(3.1 * t), cam_v[1] * t + shake * math.cos(2.3 * t))
        cr = cairo.Context(surf)
        if photo:
            # Ken Burns: zoom and focus point interpolate across the clip.
            a = i / max(1, frames - 1)
            z = cover * (z0 + (z1 - z0) * a)
            fx, fy = fx0 + (fx1 - fx0) * a, fy0 + (fy1 - fy0) * a
            cr.save()
            cr.translate(-(iw * z - W) * fx, -(ih * z - H) * fy)
            cr.scale(z, z)
            cr.set_source_surface(img, 0, 0)
            cr.get_source().set_filter(cairo.FILTER_BEST)
            cr.paint()
            cr.restore()
        else:
            draw_background(cr, bg, W, H, cam, colours)
        for layer in layers:
            layer.draw(cr, t, cam)
        for c in captions:
            c.draw(cr, t, cam)
        surf.flush()
        surf.write_to_png(os.path.join(outdir, "%04d.png" % i))
        del cr
    common.save_json(os.path.join(outdir, "clip.json"),
                     {"seed": seed, "width": W, "height": H, "frames": frames,
                      "kind": "photo" if photo else "render", "photo": photo, "size_arg": size,
                      "photo_source": ALL_PHOTOS.get(photo)})


def render_nature_clip(seed, outdir, frames, size):
    W, H = frame_size(random.Random("nature-%d" % seed), size)
    os.makedirs(outdir, exist_ok=True)
    for i, rgb in enumerate(nature.render_frames(seed, W, H, frames)):
        common.write_png(os.path.join(outdir, "%04d.png" % i), rgb)
    common.save_json(os.path.join(outdir, "clip.json"),
                     {"seed": seed, "width": W, "height": H, "frames": frames, "kind": "nature",
                      "photo": None, "size_arg": size, "photo_source": None})


def clip_list(n_train, n_heldout, photos, n_nature=0, n_nature_heldout=0):
    """(split, name, seed, photo) for every clip of the recipe (photo "nature": a nature.py scene)."""
    out = [("train", "r%07d" % s, s, None) for s in range(n_train)]
    out += [("heldout", "r%07d" % s, s, None)
            for s in range(common.HELDOUT_SEED_BASE, common.HELDOUT_SEED_BASE + n_heldout)]
    # Nature scenes: seeds of their own (degrade.py draws a clip's degradations from its seed).
    out += [("train", "n%03d" % k, NATURE_SCENE_SEED + k, "nature") for k in range(n_nature)]
    out += [("heldout", "n%03d" % k, common.HELDOUT_SEED_BASE + NATURE_SCENE_SEED + k, "nature")
            for k in range(n_nature_heldout)]
    if photos:
        for k, name in enumerate(sorted(PHOTOS)):
            split = "heldout" if name in HELDOUT_PHOTOS else "train"
            seed = (common.HELDOUT_SEED_BASE if split == "heldout" else 0) + 500_000 + k
            out.append((split, "p-" + name, seed, name))
        for k, name in enumerate(sorted(NATURE_PHOTOS)):
            out.append(("train", "p-" + name, 500_000 + NATURE_SEED_OFFSET + k, name))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", help="data directory (default models/train/data or $SVD_TRAIN_DATA)")
    ap.add_argument("--train", type=int, default=48, help="number of training render clips")
    ap.add_argument("--heldout", type=int, default=8, help="number of held-out render clips")
    ap.add_argument("--frames", type=int, default=20, help="frames per clip")
    ap.add_argument("--size", default="mixed", help="WxH, or 'mixed' (2/3 640x360, 1/3 1280x720 by seed)")
    ap.add_argument("--no-photos", action="store_true", help="skip the Debian-packaged still images")
    ap.add_argument("--nature", type=int, default=0,
                    help="number of training nature scenes (nature.py; an experiment, off by default)")
    ap.add_argument("--nature-heldout", type=int, default=0, help="number of held-out nature scenes")
    args = ap.parse_args()

    root = os.path.join(common.data_dir(args.data), "clean")
    missing = [n for n, p in ALL_PHOTOS.items() if not os.path.exists(p)]
    if missing and not args.no_photos:
        sys.exit("render: missing source images %s: run build-aux/install-train-deps.sh" % missing)
    todo = clip_list(args.train, args.heldout, not args.no_photos, args.nature, args.nature_heldout)
    for k, (split, name, seed, photo) in enumerate(todo):
        outdir = os.path.join(root, split, name)
        meta = os.path.join(outdir, "clip.json")
        if os.path.exists(meta):
            m = common.load_json(meta)
            if m.get("frames") == args.frames and m.get("seed") == seed and m.get("size_arg") == args.size:
                continue
        if photo == "nature":
            render_nature_clip(seed, outdir, args.frames, args.size)
        else:
            render_clip(seed, outdir, args.frames, args.size, photo)
        print("render: [%d/%d] %s/%s" % (k + 1, len(todo), split, name), flush=True)
    # The manifest is the clip set of this configuration: degrade.py and train.py
    # follow it, so clips left over from a larger or older set are not used.
    common.save_json(os.path.join(root, "clips.json"), ["%s/%s" % (split, name) for split, name, _, _ in todo])
    print("render: %d clips in %s" % (len(todo), root))


if __name__ == "__main__":
    main()
