#!/usr/bin/env python3
"""Draws the Amtsstube icon (a white file folder on federal blue) as RGBA PNGs and an ICO.

Pure standard library so it runs anywhere: `python3 icons/generate.py`. Tauri needs RGBA PNGs
and, for Windows, icon.ico.
"""
import struct, zlib, os

BLUE = (0x00, 0x4B, 0x87, 255)
WHITE = (255, 255, 255, 255)
GOLD = (0xF2, 0xB7, 0x05, 255)
CLEAR = (0, 0, 0, 0)


def pixel(x, y, n):
    u, v = x / n, y / n
    r = 0.18  # rounded square
    cx, cy = min(max(u, r), 1 - r), min(max(v, r), 1 - r)
    if (u - cx) ** 2 + (v - cy) ** 2 > r * r:
        return CLEAR
    # folder: tab and body
    if 0.22 <= u <= 0.48 and 0.26 <= v <= 0.34:
        return WHITE
    if 0.22 <= u <= 0.78 and 0.32 <= v <= 0.74:
        if 0.30 <= u <= 0.70 and 0.62 <= v <= 0.66:
            return GOLD
        return WHITE
    return BLUE


def png(n):
    raw = b"".join(b"\x00" + b"".join(bytes(pixel(x, y, n)) for x in range(n)) for y in range(n))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", n, n, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def ico(sizes):
    images = [png(s) for s in sizes]
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    for s, data in zip(sizes, images):
        out += struct.pack("<BBBBHHII", s % 256, s % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return out + b"".join(images)


here = os.path.dirname(os.path.abspath(__file__))
for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
    with open(os.path.join(here, name), "wb") as f:
        f.write(png(size))
with open(os.path.join(here, "icon.ico"), "wb") as f:
    f.write(ico([16, 32, 48, 256]))
