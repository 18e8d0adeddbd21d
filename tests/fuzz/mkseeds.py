#!/usr/bin/env python3
"""mkseeds.py: seeds for the per-probe fuzz targets from samples/dialogues.

    tests/fuzz/mkseeds.py      (from the repository root)

For every dialogue (hand-written and real-*), writes
tests/fuzz/corpus/probe_NAME/DIALOGUE-0 and -1: byte 0 seeds the read sizes
and the server name (tests/fuzz/probe_fuzz.h: odd gives one), the rest is
everything the server sent (S: and I: lines).  Rerun after adding dialogues.
"""
import glob
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "lib"))
from dlgrecord import decode_file  # noqa: E402


def main():
    n = 0
    for path in sorted(glob.glob(os.path.join(ROOT, "samples/dialogues/*.txt"))):
        base = os.path.basename(path)[:-4]
        d = decode_file(path)
        name = base[5:] if base.startswith("real-") else base
        probe = d["probe"] or name.split("-")[0]
        stream = b"".join(b for who, b in d["events"] if who in ("S", "I"))
        out = os.path.join(ROOT, "tests/fuzz/corpus", "probe_" + probe.replace("-", "_"))
        os.makedirs(out, exist_ok=True)
        for v in (0, 1):
            with open(os.path.join(out, "%s-%d" % (base, v)), "wb") as f:
                f.write(bytes([0x27 if v else 0]) + stream)
            n += 1
    print("mkseeds: %d seeds" % n)


if __name__ == "__main__":
    main()
