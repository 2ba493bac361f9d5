# SPDX-License-Identifier: GPL-3.0-or-later
"""Soft-shaded "3D animation" scenes: grass, foliage, fur and depth of field.

The cel-style renders (render.py) are flat colours with outlines; the photo
clips are natural texture without motion of their own. CG films such as the
held-out BBB clip are neither: smooth shading, fields of thin grass blades
that sway, tree canopies of many small leaves, furry characters, and a
camera whose out-of-focus layers are blurred. A 1x model trained only on the
first two kinds learned to flatten that fine texture (it lost PSNR-Y in
exactly the grass and foliage blocks), so these clips draw it.

Each clip is a pure function of its seed: depth layers drawn with cairo,
each blurred by its distance from the focal plane (a Gaussian, in numpy and
scipy), composited back to front, with a camera pan and parallax, wind in
the grass and characters that walk and bob.
"""

import colorsys
import math
import random

import cairo
import numpy as np
from scipy.ndimage import gaussian_filter


def hsv(h, s, v):
    return colorsys.hsv_to_rgb(h % 1.0, max(0.0, min(1.0, s)), max(0.0, min(1.0, v)))


class Grass:
    """A field of tapered blades between two depths, swaying in the wind."""

    def __init__(self, rng, W, H, y0, y1, density, hue, par):
        self.par = par
        n = int(density * W * (y1 - y0) / 1000)
        self.blades = []
        span = W * (1 + par) + 200
        for _ in range(n):
            y = rng.uniform(y0, y1)
            depth = (y - y0) / max(1.0, y1 - y0)          # 0 far, 1 near
            h = (0.02 + 0.07 * depth) * H * rng.uniform(0.6, 1.4)
            w = max(0.7, h * rng.uniform(0.05, 0.12))
            c = hsv(hue + rng.uniform(-0.05, 0.05), rng.uniform(0.45, 0.9), rng.uniform(0.25, 0.55 + 0.35 * depth))
            self.blades.append((rng.uniform(-100, span), y, h, w, rng.uniform(-0.5, 0.5), c, rng.uniform(0, 6.3)))
        self.blades.sort(key=lambda b: b[1])   # far first
        self.wind = rng.uniform(0.05, 0.25)

    def draw(self, cr, t, cam):
        ox = -cam[0] * self.par
        for (x, y, h, w, lean, c, ph) in self.blades:
            x += ox
            bend = lean + self.wind * math.sin(0.35 * t + ph + 0.01 * x)
            tx, ty = x + bend * h, y - h * (1 - 0.25 * abs(bend))
            cr.move_to(x - w, y)
            cr.curve_to(x - w * 0.5, y - h * 0.5, tx - bend * h * 0.3, ty + h * 0.2, tx, ty)
            cr.curve_to(tx - bend * h * 0.3 + w * 0.3, ty + h * 0.2, x + w * 0.5, y - h * 0.5, x + w, y)
            cr.close_path()
            cr.set_source_rgb(*c)
            cr.fill()


class Tree:
    """A trunk with bark stripes and a canopy of leaf clusters, lit from one side."""

    def __init__(self, rng, W, H, x, ground, scale, hue, light, par):
        self.par, self.x, self.ground = par, x, ground
        self.th = H * rng.uniform(0.3, 0.6) * scale
        self.tw = H * rng.uniform(0.03, 0.06) * scale
        self.bark = hsv(rng.uniform(0.05, 0.1), rng.uniform(0.3, 0.6), rng.uniform(0.2, 0.45))
        self.stripes = [(rng.uniform(-0.45, 0.45), rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.3))
                        for _ in range(rng.randint(6, 20))]
        self.leaves = []
        cx, cy = x, ground - self.th
        R = H * rng.uniform(0.12, 0.25) * scale
        for _ in range(rng.randint(8, 18)):
            a = rng.uniform(0, 2 * math.pi)
            d = rng.uniform(0, R)
            kx, ky, kr = cx + d * math.cos(a) * 1.3, cy + d * math.sin(a) * 0.8, R * rng.uniform(0.35, 0.6)
            for _ in range(rng.randint(60, 200)):
                b = rng.uniform(0, 2 * math.pi)
                e = kr * math.sqrt(rng.random())
                lx, ly = kx + e * math.cos(b), ky + e * math.sin(b)
                # Lit side brighter, underside darker: a 3D-looking canopy from flat leaves.
                lit = 0.5 + 0.5 * ((lx - cx) * light[0] + (ly - cy) * light[1]) / (R * 1.6)
                c = hsv(hue + rng.uniform(-0.04, 0.04), rng.uniform(0.4, 0.85), 0.18 + 0.6 * lit * rng.uniform(0.7, 1.1))
                size = kr * rng.uniform(0.06, 0.16)
                self.leaves.append((lx - x, ly - ground, size, rng.uniform(0, math.pi), c, rng.uniform(0, 6.3)))
        self.leaves.sort(key=lambda l: sum(l[4]))   # dark (inner) leaves first

    def draw(self, cr, t, cam):
        x = self.x - cam[0] * self.par
        g = cairo.LinearGradient(x - self.tw, 0, x + self.tw, 0)
        g.add_color_stop_rgb(0, *[c * 0.55 for c in self.bark])
        g.add_color_stop_rgb(0.6, *self.bark)
        g.add_color_stop_rgb(1, *[min(1, c * 1.3) for c in self.bark])
        cr.rectangle(x - self.tw / 2, self.ground - self.th, self.tw, self.th)
        cr.set_source(g)
        cr.fill()
        cr.set_line_width(max(0.6, self.tw * 0.06))
        for (u, v, ln) in self.stripes:
            sx = x + u * self.tw
            sy = self.ground - self.th * v
            cr.move_to(sx, sy)
            cr.line_to(sx + u * 2, sy + self.th * ln * 0.3)
            cr.set_source_rgba(0, 0, 0, 0.35)
            cr.stroke()
        for (dx, dy, s, rot, c, ph) in self.leaves:
            sway = 0.02 * s * math.sin(0.3 * t + ph)
            cr.save()
            cr.translate(x + dx + sway * 10, self.ground + dy)
            cr.rotate(rot + 0.1 * math.sin(0.2 * t + ph))
            cr.scale(s, s * 0.55)
            cr.arc(0, 0, 1, 0, 2 * math.pi)
            cr.restore()
            cr.set_source_rgb(*c)
            cr.fill()


class Furry:
    """A round character: radial-gradient shading, fur strokes over the body and its rim, eyes."""

    def __init__(self, rng, W, H, ground, scale, light, par):
        self.par = par
        self.rx = H * rng.uniform(0.08, 0.2) * scale
        self.ry = self.rx * rng.uniform(1.0, 1.5)
        self.x0 = rng.uniform(0.1, 0.9) * W
        self.y = ground - self.ry * 0.9
        self.vx = rng.choice([0, 0.5, 1.5, -1]) * H / 360
        self.bob = rng.uniform(0, 3) * H / 360
        self.col = hsv(rng.random(), rng.uniform(0.1, 0.6), rng.uniform(0.45, 0.95))
        self.light = light
        self.strands = []
        for _ in range(int(rng.uniform(1.5, 4) * self.rx * self.ry / 10)):
            a = rng.uniform(0, 2 * math.pi)
            r = math.sqrt(rng.random()) * 1.05
            u, v = r * math.cos(a), r * math.sin(a)
            ln = self.rx * rng.uniform(0.04, 0.12) * (1.6 if r > 0.95 else 1)
            # Fur falls down and away from the centre.
            ang = math.atan2(v + 1.2, u * 0.6) + rng.uniform(-0.4, 0.4)
            self.strands.append((u, v, ln, ang, rng.uniform(-0.18, 0.18)))
        self.eyes = rng.random() < 0.8
        self.ex = rng.uniform(0.25, 0.45)

    def shade(self, u, v):
        # Lambert-ish shading of a sphere lit from `light`.
        z = math.sqrt(max(0.0, 1 - min(1.0, u * u + v * v)))
        return max(0.15, 0.35 + 0.65 * (u * self.light[0] + v * self.light[1] + z * 0.6))

    def draw(self, cr, t, cam):
        x = self.x0 + self.vx * t - cam[0] * self.par
        y = self.y - abs(math.sin(0.5 * t)) * self.bob
        g = cairo.RadialGradient(x + self.light[0] * self.rx * 0.5, y + self.light[1] * self.ry * 0.5, 0,
                                 x, y, max(self.rx, self.ry) * 1.05)
        g.add_color_stop_rgb(0, *[min(1, c * 1.15) for c in self.col])
        g.add_color_stop_rgb(0.7, *[c * 0.7 for c in self.col])
        g.add_color_stop_rgb(1, *[c * 0.35 for c in self.col])
        cr.save()
        cr.translate(x, y)
        cr.scale(self.rx, self.ry)
        cr.arc(0, 0, 1, 0, 2 * math.pi)
        cr.restore()
        cr.set_source(g)
        cr.fill()
        cr.set_line_cap(cairo.LINE_CAP_ROUND)
        cr.set_line_width(max(0.6, self.rx * 0.012))
        for (u, v, ln, ang, dv) in self.strands:
            px, py = x + u * self.rx, y + v * self.ry
            k = self.shade(u, v) + dv
            cr.move_to(px, py)
            cr.line_to(px + ln * math.cos(ang), py + ln * math.sin(ang))
            cr.set_source_rgb(*[max(0.0, min(1.0, c * k)) for c in self.col])
            cr.stroke()
        if self.eyes:
            for s in (-1, 1):
                ex, ey, er = x + s * self.ex * self.rx, y - 0.3 * self.ry, self.rx * 0.16
                cr.arc(ex, ey, er, 0, 2 * math.pi)
                cr.set_source_rgb(0.95, 0.95, 0.92)
                cr.fill()
                cr.arc(ex + er * 0.2, ey + er * 0.1, er * 0.5, 0, 2 * math.pi)
                cr.set_source_rgb(0.08, 0.06, 0.05)
                cr.fill()
                cr.arc(ex + er * 0.35, ey - er * 0.15, er * 0.15, 0, 2 * math.pi)
                cr.set_source_rgb(1, 1, 1)
                cr.fill()


class Rock:
    """A lumpy stone with radial shading and speckles."""

    def __init__(self, rng, W, H, ground, scale, light, par):
        self.par = par
        self.x0 = rng.uniform(0, W * (1 + par))
        self.r = H * rng.uniform(0.03, 0.1) * scale
        self.y = ground - self.r * 0.3
        self.pts = [(a, self.r * rng.uniform(0.75, 1.1))
                    for a in np.linspace(0, 2 * math.pi, rng.randint(7, 12), endpoint=False)]
        self.col = hsv(rng.uniform(0.05, 0.15), rng.uniform(0.05, 0.3), rng.uniform(0.35, 0.7))
        self.speck = [(rng.uniform(-0.8, 0.8), rng.uniform(-0.5, 0.5), rng.uniform(-0.25, 0.25))
                      for _ in range(int(self.r * self.r * 0.15))]
        self.light = light

    def draw(self, cr, t, cam):
        x = self.x0 - cam[0] * self.par
        for k, (a, r) in enumerate(self.pts + self.pts[:1]):
            px, py = x + r * math.cos(a), self.y + 0.6 * r * math.sin(a)
            (cr.move_to if k == 0 else cr.line_to)(px, py)
        cr.close_path()
        g = cairo.RadialGradient(x + self.light[0] * self.r * 0.4, self.y + self.light[1] * self.r * 0.3, 0,
                                 x, self.y, self.r * 1.1)
        g.add_color_stop_rgb(0, *[min(1, c * 1.25) for c in self.col])
        g.add_color_stop_rgb(1, *[c * 0.4 for c in self.col])
        cr.set_source(g)
        cr.fill()
        for (u, v, d) in self.speck:
            cr.rectangle(x + u * self.r, self.y + v * self.r * 0.6, 1.2, 1.2)
            cr.set_source_rgba(*[max(0.0, min(1.0, c * (1 + d))) for c in self.col], 0.8)
            cr.fill()


def layer_rgba(W, H, draw):
    """Draws into a transparent ARGB32 surface; returns premultiplied float RGBA (H, W, 4)."""
    surf = cairo.ImageSurface(cairo.FORMAT_ARGB32, W, H)
    cr = cairo.Context(surf)
    draw(cr)
    surf.flush()
    a = np.ndarray((H, surf.get_stride() // 4, 4), np.uint8, surf.get_data())[:, :W]
    return a[..., [2, 1, 0, 3]].astype(np.float32) / 255.0


def blur(rgba, sigma):
    if sigma < 0.25:
        return rgba
    return gaussian_filter(rgba, sigma=(sigma, sigma, 0), mode="nearest")


def over(dst, src):
    """Premultiplied `src` over opaque `dst` (both float RGB(A))."""
    dst[..., :3] = src[..., :3] + dst[..., :3] * (1 - src[..., 3:4])


def render_frames(seed, W, H, frames):
    """Yields the clip's frames as uint8 RGB arrays."""
    rng = random.Random(seed)
    unit = H / 360
    hue = rng.uniform(0.2, 0.36) if rng.random() < 0.8 else rng.uniform(0.08, 0.16)   # green or autumn
    light = (rng.uniform(-0.8, 0.8), rng.uniform(-0.9, -0.3))
    horizon = rng.uniform(0.3, 0.55) * H
    sky_top = hsv(rng.uniform(0.52, 0.64), rng.uniform(0.3, 0.8), rng.uniform(0.6, 1.0))
    sky_bot = hsv(rng.uniform(0.08, 0.6), rng.uniform(0.05, 0.35), rng.uniform(0.8, 1.0))
    sun = (rng.uniform(0, W), rng.uniform(0, horizon * 0.7), rng.uniform(0.1, 0.4) * H) if rng.random() < 0.6 else None
    focus = rng.choice(["near", "mid", "mid", "far"])
    pan = rng.choice([0, 0.5, 1.5, 3, -2]) * unit
    shake = rng.choice([0, 0, 1.0]) * unit

    # Depth layers, far to near: (parallax, blur sigma, drawables).
    far_hue = hue + rng.uniform(-0.03, 0.03)
    hills = []
    for k in range(rng.randint(1, 3)):
        hills.append((horizon + k * 0.04 * H, rng.uniform(0.02, 0.08) * H, rng.uniform(1, 4), rng.uniform(0, 6),
                      hsv(far_hue, rng.uniform(0.2, 0.5), rng.uniform(0.35, 0.6) - 0.05 * k)))
    far_trees = [Tree(rng, W, H, rng.uniform(-0.1, 1.3) * W, horizon + rng.uniform(0, 0.05) * H,
                      rng.uniform(0.3, 0.6), far_hue, light, 0.2) for _ in range(rng.randint(2, 8))]
    mid_ground = horizon + rng.uniform(0.1, 0.25) * H
    mid_trees = [Tree(rng, W, H, rng.uniform(-0.1, 1.4) * W, mid_ground, rng.uniform(0.7, 1.2), hue, light, 0.5)
                 for _ in range(rng.randint(0, 3))]
    mid_grass = Grass(rng, W, H, horizon, mid_ground + 0.05 * H, rng.uniform(8, 30), hue, 0.5)
    rocks = [Rock(rng, W, H, rng.uniform(mid_ground, H), 1.0, light, 0.8) for _ in range(rng.randint(0, 4))]
    chars = [Furry(rng, W, H, rng.uniform(mid_ground + 0.1 * H, H * 0.95), rng.uniform(0.8, 1.6), light, 0.8)
             for _ in range(rng.randint(1, 3))]
    near_grass = Grass(rng, W, H, mid_ground, H * 1.08, rng.uniform(12, 40), hue, 1.0)
    fg_grass = Grass(rng, W, H, H * 0.9, H * 1.25, rng.uniform(2, 6), hue, 1.4) if rng.random() < 0.4 else None
    sig = {"near": (4.0, 2.0, 0.0, 2.5), "mid": (2.5, 0.0, 1.0, 3.5), "far": (0.0, 0.8, 1.5, 4.0)}[focus]
    sig = tuple(s * unit * rng.uniform(0.6, 1.3) for s in sig)   # far, mid, near, foreground

    def sky(cr):
        g = cairo.LinearGradient(0, 0, 0, horizon + 0.1 * H)
        g.add_color_stop_rgb(0, *sky_top)
        g.add_color_stop_rgb(1, *sky_bot)
        cr.set_source(g)
        cr.paint()
        if sun:
            r = cairo.RadialGradient(sun[0], sun[1], 0, sun[0], sun[1], sun[2])
            r.add_color_stop_rgba(0, 1, 0.97, 0.85, 0.9)
            r.add_color_stop_rgba(1, 1, 0.97, 0.85, 0)
            cr.set_source(r)
            cr.paint()

    for i in range(frames):
        t = float(i)
        cam = (pan * t + shake * math.sin(2.9 * t), shake * math.cos(2.1 * t))
        img = layer_rgba(W, H, sky)[..., :3].copy()

        def far(cr):
            for (base, amp, freq, ph, col) in hills:
                cr.move_to(-10, H + 10)
                for x in range(-10, W + 20, 6):
                    cr.line_to(x, base + amp * math.sin(freq * (x + cam[0] * 0.15) / W * 6.28 + ph))
                cr.line_to(W + 10, H + 10)
                cr.close_path()
                cr.set_source_rgb(*col)
                cr.fill()
            for tr in far_trees:
                tr.draw(cr, t, cam)

        def mid(cr):
            g = cairo.LinearGradient(0, horizon, 0, H)
            g.add_color_stop_rgb(0, *hsv(hue, 0.5, 0.35))
            g.add_color_stop_rgb(1, *hsv(hue + 0.03, 0.6, 0.5))
            cr.rectangle(0, mid_ground - 0.02 * H, W, H)
            cr.set_source(g)
            cr.fill()
            for tr in mid_trees:
                tr.draw(cr, t, cam)
            mid_grass.draw(cr, t, cam)

        def near(cr):
            near_grass.draw(cr, t, cam)
            for r in rocks:
                r.draw(cr, t, cam)
            for c in chars:
                c.draw(cr, t, cam)

        over(img, blur(layer_rgba(W, H, far), sig[0]))
        over(img, blur(layer_rgba(W, H, mid), sig[1]))
        over(img, blur(layer_rgba(W, H, near), sig[2]))
        if fg_grass:
            over(img, blur(layer_rgba(W, H, lambda cr: fg_grass.draw(cr, t, cam)), sig[3]))
        yield (np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)
