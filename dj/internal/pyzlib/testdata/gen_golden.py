#!/usr/bin/env python3
"""Writes golden.jsonl: for each recipe, the length and SHA-256 of
zlib.compress(data, level) as CPython's zlib (1.2.13) produces it.

The inputs are regenerated from the recipes by golden_test.go, so only the
recipes and digests are stored. Run from this directory:
    python3 gen_golden.py > golden.jsonl
"""
import hashlib
import json
import struct
import sys
import zlib

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.s = seed & MASK

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


def gen_bytes(n, r):
    out = bytearray()
    while len(out) < n:
        out += r.next().to_bytes(8, "little")
    return bytes(out[:n])


def gen_alpha16(n, r):
    return bytes(ord("a") + r.next() % 16 for _ in range(n))


def gen_text(n, r):
    words = []
    for _ in range(200):
        k = 1 + r.next() % 8
        words.append(bytes(ord("a") + r.next() % 26 for _ in range(k)))
    out = bytearray()
    while len(out) < n:
        out += words[r.next() % len(words)]
        out += b" " if r.next() % 10 else b".\n"
    return bytes(out[:n])


def gen_repeat(n, r):
    p = b"abc"
    return (p * (n // len(p) + 1))[:n]


def gen_zeros(n, r):
    return bytes(n)


def gen_runs(n, r):
    out = bytearray()
    while len(out) < n:
        out += bytes([r.next() % 256]) * (1 + r.next() % 300)
    return bytes(out[:n])


def gen_mixed(n, r):
    out = bytearray()
    while len(out) < n:
        if r.next() % 10 < 3:
            out += gen_bytes(1 + r.next() % 3000, r)
        else:
            out += bytes([r.next() % 256]) * (1 + r.next() % 5000)
    return bytes(out[:n])


def f64(values):
    return struct.pack("<%dd" % len(values), *values)


def gen_f64uniform(n, r):
    return f64([(r.next() >> 11) * 2.0**-53 * 2.0 - 1.0 for _ in range(n)])


def gen_f64smooth(n, r):
    out = []
    for i in range(n):
        x = i * 0.001
        out.append(x * x * x - 2.0 * x + 0.5)
    return f64(out)


def gen_f64int(n, r):
    return f64([float(r.next() % 1000) for _ in range(n)])


def gen_f64zeros(n, r):
    return f64([0.0] * n)


def gen_f64walk(n, r):
    out, v = [], 0.0
    for _ in range(n):
        v += float(int(r.next() % 201) - 100) / 64.0
        out.append(v)
    return f64(out)


GENS = {k[4:]: v for k, v in globals().items() if k.startswith("gen_")}


def mym_prefix(count):
    # mYm header of a 1×count double array, as DataJoint stores a 1-D
    # float64 numpy array.
    return b"mYm\0A" + struct.pack("<QQQII", 2, 1, count, 6, 0)


RECIPES = [
    ("empty", "bytes", 0), ("one", "text", 1), ("two", "text", 2),
    ("three", "text", 3), ("tiny", "text", 40), ("abc", "repeat", 600),
    ("text1001", "text", 1001), ("text1500", "text", 1500),
    ("rand1001", "bytes", 1001), ("rand2000", "bytes", 2000),
    ("alpha1999", "alpha16", 1999), ("zeros1200", "zeros", 1200),
    ("text100k", "text", 100_000), ("text3m", "text", 3_000_000),
    ("rand100k", "bytes", 100_000), ("rand1m", "bytes", 1_000_000),
    ("alpha16383", "alpha16", 16383), ("alpha16384", "alpha16", 16384),
    ("alpha16385", "alpha16", 16385), ("alpha50k", "alpha16", 50_000),
    ("rand16383", "bytes", 16383), ("rand16384", "bytes", 16384),
    ("rand65535", "bytes", 65535), ("rand65536", "bytes", 65536),
    ("text32767", "text", 32767), ("text32768", "text", 32768),
    ("text32769", "text", 32769), ("text65274", "text", 65274),
    ("text65536", "text", 65536), ("text98305", "text", 98305),
    ("repeat300k", "repeat", 300_000), ("zeros4m", "zeros", 4_000_000),
    ("runs200k", "runs", 200_000), ("mixed500k", "mixed", 500_000),
    ("mixed2m", "mixed", 2_000_000),
    ("f64uniform20k", "f64uniform", 20_000), ("f64smooth50k", "f64smooth", 50_000),
    ("f64int50k", "f64int", 50_000), ("f64zeros10k", "f64zeros", 10_000),
    ("f64walk500k", "f64walk", 500_000),
    ("blob_uniform125", "f64uniform", 125, True), ("blob_zeros125", "f64zeros", 125, True),
    ("blob_uniform100k", "f64uniform", 100_000, True), ("blob_smooth30k", "f64smooth", 30_000, True),
    ("blob_int40k", "f64int", 40_000, True), ("blob_walk100k", "f64walk", 100_000, True),
]

OTHER_LEVELS = ["runs200k", "repeat300k", "text100k", "alpha50k", "mixed500k", "blob_walk100k", "rand16384", "blob_int40k", "empty"]


def main():
    for i, rec in enumerate(RECIPES):
        name, gen, n = rec[:3]
        blob = len(rec) > 3 and rec[3]
        seed = 1000 + i
        data = GENS[gen](n, SplitMix64(seed))
        if blob:
            data = mym_prefix(n) + data
        levels = [6] + ([1, 2, 3, 4, 5, 7, 8, 9] if name in OTHER_LEVELS else [])
        for level in levels:
            z = zlib.compress(data, level)
            row = {"name": name, "gen": gen, "n": n, "seed": seed, "mym": bool(blob),
                   "level": level, "input_len": len(data),
                   "input_sha256": hashlib.sha256(data).hexdigest(),
                   "len": len(z), "sha256": hashlib.sha256(z).hexdigest()}
            print(json.dumps(row))
    print(json.dumps({"zlib": zlib.ZLIB_RUNTIME_VERSION}), file=sys.stderr)


if __name__ == "__main__":
    main()
