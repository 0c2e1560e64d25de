"""Size of the widget as readers download it: one file, JS with its CSS and messages inside.

Usage: .venv/bin/python bench/widget_size.py [path/to/widget.js]
Budgets (docs/widget.md says how they grew from issue 3's 12 KB): 13 KiB for what browsers
receive (the shipped brotli copy, widget.js.br), 14 KiB for gzip -9.
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDGET = ROOT / "palabre" / "static" / "widget.js"
BUDGET = 14 * 1024  # gzip -9
SERVED_BUDGET = 13 * 1024  # the brotli copy served to every current browser


def gzipped(data: bytes, level: int) -> int:
    return len(gzip.compress(data, compresslevel=level, mtime=0))


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else WIDGET
    data = path.read_bytes()
    css = re.search(rb'\.palabre\{.*?"', data, re.S)
    best = gzipped(data, 9)
    print(f"{path.name}: {len(data):,} bytes raw")
    print(f"  gzip -9: {best:,} bytes ({best / 1024:.1f} KiB), gzip -6: {gzipped(data, 6):,} bytes")
    if css:
        print(f"  of which CSS: {len(css.group(0)):,} bytes raw")
    print(f"  budget {BUDGET:,} bytes gzipped: {'within' if best <= BUDGET else 'OVER'}"
          f" ({BUDGET - best:+,} bytes to spare)")
    brotli = path.with_name(path.name + ".br")
    if brotli.exists():
        served = brotli.stat().st_size
        print(f"  served as brotli: {served:,} bytes, budget {SERVED_BUDGET:,}: "
              f"{'within' if served <= SERVED_BUDGET else 'OVER'}"
              f" ({SERVED_BUDGET - served:+,} bytes to spare)")


if __name__ == "__main__":
    main()
