"""The Python peer of tests/shard/atdata_python_test.ts: reads and writes atdata-style shards with
Python's own tarfile, msgpack and numpy (Debian's python3-msgpack and python3-numpy, run with
/usr/bin/python3).

Values are printed as tagged JSON so nothing is lost on the way to JavaScript:
ints {"int": "<decimal>"}, floats {"float": "<float64 bits, big-endian hex>"},
bytes {"bytes": "<hex>"}, arrays {"ndarray": {"dtype", "shape", "data": [tagged elements]}};
str, bool, null and lists as themselves.

Commands:
  read <json {"ndarray": [field names]}>   tar on stdin; per sample: key, tagged values, the
                                           msgpack member (hex) and msgpack.packb of the
                                           decoded map with arrays re-encoded (hex)
  write <path>                             writes an atdata-style shard to path; prints the
                                           samples written (tagged)
  npy                                      np.save bytes of several arrays (hex), tagged
"""

import io
import json
import struct
import sys
import tarfile

import msgpack
import numpy as np

NPY_MAGIC = b"\x93NUMPY"


def array_to_bytes(a):
    """atdata's compact layout: u8 dtype_len | dtype.str | u8 ndim | int64 LE shape | C data."""
    a = np.ascontiguousarray(a)
    dt = a.dtype.str.encode()
    return (
        bytes([len(dt)]) + dt + bytes([a.ndim])
        + struct.pack("<%dq" % a.ndim, *a.shape) + a.tobytes()
    )


def bytes_to_array(b):
    if b[:6] == NPY_MAGIC:
        return np.load(io.BytesIO(b))
    n = b[0]
    dtype = b[1:1 + n].decode()
    ndim = b[1 + n]
    shape = struct.unpack_from("<%dq" % ndim, b, 2 + n)
    return np.frombuffer(b[2 + n + 8 * ndim:], dtype=dtype).reshape(shape)


def tag(v):
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return {"int": str(v)}
    if isinstance(v, float):
        return {"float": struct.pack(">d", v).hex()}
    if isinstance(v, (bytes, bytearray)):
        return {"bytes": bytes(v).hex()}
    if isinstance(v, list):
        return [tag(x) for x in v]
    if isinstance(v, np.ndarray):
        flat = v.ravel(order="C")
        if v.dtype.kind == "b":
            flat = flat.astype("u1")
        return {"ndarray": {
            "dtype": v.dtype.str,
            "shape": list(v.shape),
            "data": [tag(x) for x in flat.tolist()],
        }}
    raise TypeError("cannot tag %r" % (type(v),))


def split_name(name):
    slash = name.rfind("/")
    dot = name.find(".", slash + 1)
    return name[:dot], name[dot + 1:].lower()


def read(spec):
    arrays = set(spec["ndarray"])
    tf = tarfile.open(fileobj=io.BytesIO(sys.stdin.buffer.read()), mode="r:")
    out = []
    for m in tf:
        if not m.isfile():
            continue
        key, ext = split_name(m.name)
        data = tf.extractfile(m).read()
        d = msgpack.unpackb(data)
        values = {}
        for name, v in d.items():
            if name in arrays and v is not None:
                v = bytes_to_array(v)
                d[name] = array_to_bytes(v)
            values[name] = tag(v)
        out.append({
            "key": key,
            "ext": ext,
            "fields": list(d.keys()),
            "values": values,
            "member": data.hex(),
            "repacked": msgpack.packb(d).hex(),
        })
    print(json.dumps(out))


def npy_bytes(a):
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def write(path):
    """Three samples the atdata way; the last one's arrays are legacy .npy bytes."""
    samples = [
        {
            "image": np.arange(4, dtype=np.float32).reshape(2, 2),
            "label": "cat",
            "confidence": 0.95,
            "count": 3,
            "big": 2**40 + 1,
            "flag": True,
            "blob": b"\x00\x01\xff",
            "pixels": np.arange(300, dtype=np.uint8),
            "ids": np.array([-(2**63), 0, 2**62 + 7], dtype=np.int64),
            "tags": ["a", "b"],
            "scores": [1.0, 0.5, float("inf")],
            "note": None,
            "mask": None,
        },
        {
            # Big-endian arrays in the compact layout (dtype.str ">f4"/">i8").
            "image": np.array([[1.5, -2.0], [0.0, 1e30]], dtype=">f4"),
            "label": "dög 🐶",
            "confidence": 1.0,
            "count": -40000,
            "big": 2**64 - 1,
            "flag": False,
            "blob": bytes(range(256)) * 2,
            "pixels": np.array([], dtype=np.uint8),
            "ids": np.array([1, -1], dtype=">i8"),
            "tags": [],
            "scores": [],
            "note": "x" * 40,
            "mask": np.array([[True, False, True]]),
        },
        {
            # Legacy: every array as np.save bytes, one Fortran-ordered, one big-endian.
            "image": np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)),
            "label": "legacy",
            "confidence": -0.0,
            "count": 0,
            "big": -(2**63),
            "flag": True,
            "blob": b"",
            "pixels": np.array([7, 8, 9], dtype=np.uint8),
            "ids": np.array([[5, 6], [7, 8]], dtype=">i8"),
            "tags": ["only"],
            "scores": [-0.0, 2.0],
            "note": "",
            "mask": np.asfortranarray(np.array([[True, False], [False, False]])),
        },
    ]
    keys = ["69518926-0179-11f1-8000-000000000000", "nested/dir/k-2", "legacy_npy"]
    buf = io.BytesIO()
    written = []
    with tarfile.open(fileobj=buf, mode="w") as tf:  # PAX_FORMAT, Python's default
        for i, (key, s) in enumerate(zip(keys, samples)):
            legacy = i == 2
            enc = {
                k: (npy_bytes(v) if legacy else array_to_bytes(v))
                if isinstance(v, np.ndarray) else v
                for k, v in s.items()
            }
            data = msgpack.packb(enc)
            info = tarfile.TarInfo(key + ".msgpack")
            info.size, info.mtime, info.mode = len(data), 1770000000.5, 0o444
            info.uname = info.gname = "bigdata"
            tf.addfile(info, io.BytesIO(data))
            written.append({"key": key, "values": {k: tag(v) for k, v in s.items()}})
    with open(path, "wb") as f:
        f.write(buf.getvalue())
    print(json.dumps(written))


def npy():
    cases = {
        "f4 2x2": np.arange(4, dtype="<f4").reshape(2, 2),
        "u1 vector": np.arange(250, 255, dtype="|u1"),
        "i8 extremes": np.array([-(2**63), -1, 0, 2**63 - 1], dtype="<i8"),
        "u8 extremes": np.array([0, 2**64 - 1], dtype="<u8"),
        "f8 scalar": np.array(-0.0),
        "f8 3-d": np.linspace(-1, 1, 24).reshape(2, 3, 4),
        "b1 2x3": np.array([[True, False, True], [False, False, True]]),
        "i2 empty 0x3": np.zeros((0, 3), dtype="<i2"),
        "f2 vector": np.array([0.5, -65504.0, 1e-7], dtype="<f2"),
        "u4 1x1x1x1": np.full((1, 1, 1, 1), 4000000000, dtype="<u4"),
        "i1 ndim 20": np.full((1,) * 20, -5, dtype="|i1"),  # growth-axis padding crosses 64
        "f4 header padded by 64": np.ones((2, 10, 10) + (1,) * 11, dtype="<f4"),
        # Read-only cases: np.save keeps the order / byte order, shardline normalises.
        "f8 fortran 3x4": np.asfortranarray(np.arange(12, dtype="<f8").reshape(3, 4)),
        "i4 fortran 2x3x2": np.asfortranarray(np.arange(12, dtype="<i4").reshape(2, 3, 2)),
        ">f4 2x3": np.arange(6, dtype=">f4").reshape(2, 3) / 3,
        ">i8 fortran 2x2": np.asfortranarray(np.array([[1, -2], [2**40, -(2**50)]], dtype=">i8")),
        ">u2 vector": np.array([1, 256, 65535], dtype=">u2"),
    }
    out = []
    for name, a in cases.items():
        canonical = a.dtype.byteorder != ">" and (a.ndim < 2 or a.flags["C_CONTIGUOUS"])
        out.append({"name": name, "canonical": canonical, "npy": npy_bytes(a).hex(), **tag(a)})
    print(json.dumps(out))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "read":
        read(json.loads(sys.argv[2]))
    elif cmd == "write":
        write(sys.argv[2])
    elif cmd == "npy":
        npy()
    else:
        raise SystemExit("unknown command " + cmd)
