"""The shipped palabre/static/widget.js is exactly what widget/src builds."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from .conftest import ROOT


def test_shipped_widget_matches_its_sources() -> None:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: cannot rebuild the widget")
    widget = ROOT / "widget"
    for command in ([npm, "ci", "--no-audit", "--no-fund"], [npm, "run", "--silent", "check"]):
        done = subprocess.run(command, cwd=widget, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
