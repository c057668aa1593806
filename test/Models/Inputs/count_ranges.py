"""Counts the #qnt.range attributes of calibrated .mlir files.

    count_ranges.py FILE... [--min N]

prints "FILE: N ranges, M distinct" per file; exits non-zero if a file has
fewer than N ranges or a range with min > max.
"""

import argparse
import os
import re
import sys

RANGE = re.compile(r"qnt\.range = #qnt\.range<([^,>]+), ([^>]+)>")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--min", type=int, default=1)
    args = ap.parse_args()
    ok = True
    for path in args.files:
        with open(path) as f:
            ranges = [(float(a), float(b)) for a, b in RANGE.findall(f.read())]
        bad = [r for r in ranges if r[0] > r[1]]
        print("%s: %d ranges, %d distinct" % (os.path.basename(path),
                                               len(ranges), len(set(ranges))))
        ok = ok and len(ranges) >= args.min and not bad
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
