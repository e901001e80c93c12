"""Independent references of shardline's stored formats, for the golden tests.

Written from the documented layouts (lib/manifest/bloom_filter.ts, lib/manifest/histogram.ts),
not from shardline's code. Reads one JSON request on stdin, writes one JSON answer on stdout:

  {"op": "bloom", "m", "k", "add": [str], "probe": [str]}
      -> {"base64": bits of the filter, "has": [bool per probe]}
  {"op": "histogram", "values": [float], "edges": [float] | null}
      -> the histogram as a manifest header stores it (fixed edges, or the decimal grid)
  {"op": "murmur3", "data": [str], "seed": int} -> [uint32]
"""
import base64
import json
import sys

import numpy as np


def murmur3_x86_32(data: bytes, seed: int) -> int:
    """MurmurHash3_x86_32 (Austin Appleby's reference), unsigned."""
    c1, c2, mask = 0xCC9E2D51, 0x1B873593, 0xFFFFFFFF

    def rotl(x, r):
        return ((x << r) | (x >> (32 - r))) & mask

    h = seed & mask
    body = len(data) // 4 * 4
    for i in range(0, body, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = rotl((k * c1) & mask, 15)
        h ^= (k * c2) & mask
        h = (rotl(h, 13) * 5 + 0xE6546B64) & mask
    tail = data[body:]
    k = 0
    if len(tail) == 3:
        k ^= tail[2] << 16
    if len(tail) >= 2:
        k ^= tail[1] << 8
    if len(tail) >= 1:
        k ^= tail[0]
        k = rotl((k * c1) & mask, 15)
        h ^= (k * c2) & mask
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & mask
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & mask
    h ^= h >> 16
    return h


# Published vectors (SMHasher's verification values as widely quoted; mmh3's documentation
# gives mmh3.hash("foo") == -156908512): the reference is checked before it is trusted.
assert murmur3_x86_32(b"", 0) == 0
assert murmur3_x86_32(b"", 1) == 0x514E28B7
assert murmur3_x86_32(b"", 0xFFFFFFFF) == 0x81F16F39
assert murmur3_x86_32(b"\0\0\0\0", 0) == 0x2362F9DE
assert murmur3_x86_32(b"aaaa", 0x9747B28C) == 0x5A97808A
assert murmur3_x86_32(b"Hello, world!", 0x9747B28C) == 0x24884CBA
assert murmur3_x86_32(b"The quick brown fox jumps over the lazy dog", 0x9747B28C) == 0x2FA826CD
assert murmur3_x86_32(b"foo", 0) == (-156908512) & 0xFFFFFFFF


def bloom_positions(value: str, m: int, k: int):
    """Bit i of k at (h1 + i * h2) mod m over the UTF-8 bytes, h1 = seed 0, h2 = seed 1."""
    data = value.encode("utf-8")
    h1, h2 = murmur3_x86_32(data, 0), murmur3_x86_32(data, 1)
    return [(h1 + i * h2) % m for i in range(k)]


def bloom(req):
    m, k = req["m"], req["k"]
    bits = bytearray((m + 7) // 8)
    for v in req["add"]:
        for j in bloom_positions(v, m, k):
            bits[j >> 3] |= 1 << (j & 7)  # bit j: (byte[j >> 3] >> (j & 7)) & 1

    def has(v):
        return all((bits[j >> 3] >> (j & 7)) & 1 for j in bloom_positions(v, m, k))

    return {"base64": base64.b64encode(bytes(bits)).decode(), "has": [has(v) for v in req["probe"]]}


def decimal_grid():
    """±d×10^e (d = 1..9, e = -300..307), then ±1e308 and ±max, ascending."""
    pos = [float(f"{d}e{e}") for e in range(-300, 308) for d in range(1, 10)]
    pos += [1e308, sys.float_info.max]
    return np.array([-p for p in reversed(pos)] + pos, dtype=np.float64)


def histogram(req):
    values = np.array(req["values"], dtype=np.float64)
    edges = req.get("edges")
    if edges is not None:
        e = np.array(edges, dtype=np.float64)
        counts, _ = np.histogram(values, bins=e)  # [a, b) buckets, the last one closed
        return {
            "rule": "fixed",
            "buckets": [float(x) for x in e],
            "counts": [int(c) for c in counts],
            "below": int((values < e[0]).sum()),
            "above": int((values > e[-1]).sum()),
        }
    grid = decimal_grid()
    big = sys.float_info.max
    counts, _ = np.histogram(np.clip(values, -big, big), bins=grid)
    nonzero = np.nonzero(counts)[0]
    if len(nonzero) == 0:
        return {"rule": "decimal", "buckets": [], "counts": []}
    lo, hi = nonzero[0], nonzero[-1]
    buckets, out = [float(grid[lo])], []
    i = lo
    while i <= hi:
        if counts[i] > 0:
            out.append(int(counts[i]))
            buckets.append(float(grid[i + 1]))
            i += 1
        else:  # a run of empty grid buckets is one bucket with count 0
            j = i
            while counts[j] == 0:
                j += 1
            out.append(0)
            buckets.append(float(grid[j]))
            i = j
    return {"rule": "decimal", "buckets": buckets, "counts": out}


def main():
    req = json.load(sys.stdin)
    if req["op"] == "bloom":
        out = bloom(req)
    elif req["op"] == "histogram":
        out = histogram(req)
    elif req["op"] == "murmur3":
        out = [murmur3_x86_32(s.encode("utf-8"), req["seed"]) for s in req["data"]]
    else:
        raise SystemExit(f"unknown op {req['op']}")
    json.dump(out, sys.stdout)


main()
