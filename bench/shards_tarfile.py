"""Times Python's tarfile streaming a tar (mode "r|") and writing its members back (mode "w|").

Usage: python3 shards_tarfile.py SHARD.tar ROUNDS
Prints one JSON object: {"read_s": best seconds, "write_s": best seconds, "samples": n,
"members": m, "bytes": tar size}. Called by bench/shards.ts.
"""

import io
import json
import sys
import tarfile
import time


def read(data):
    members = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r|") as tf:
        for info in tf:
            if info.isfile():
                tf.extractfile(info).read()
                members += 1
    return members


class Sink:
    def __init__(self):
        self.size = 0

    def write(self, b):
        self.size += len(b)
        return len(b)


def write(members):
    sink = Sink()
    with tarfile.open(fileobj=sink, mode="w|") as tf:
        for name, payload in members:
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            info.mode = 0o444
            info.mtime = 0
            tf.addfile(info, io.BytesIO(payload))
    return sink.size


def best(fn, arg, rounds):
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    path, rounds = sys.argv[1], int(sys.argv[2])
    with open(path, "rb") as f:
        data = f.read()
    with tarfile.open(fileobj=io.BytesIO(data), mode="r|") as tf:
        members = [(i.name, tf.extractfile(i).read()) for i in tf if i.isfile()]
    keys = {name.split(".", 1)[0] for name, _ in members}
    print(json.dumps({
        "read_s": best(read, data, rounds),
        "write_s": best(write, members, rounds),
        "samples": len(keys),
        "members": len(members),
        "bytes": len(data),
    }))


if __name__ == "__main__":
    main()
