"""Create a virtual environment with pip, also on a Debian python3 without python3-venv.

Debian ships ``venv`` without ``ensurepip`` unless python3-venv is installed. Then the
environment is created without pip and pip is fetched from the package index (the same
place every other dependency comes from) and installed from its wheel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.request
import venv
from pathlib import Path

INDEX = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")


def _pip_wheel_url() -> str:
    base = INDEX.removesuffix("/simple")
    with urllib.request.urlopen(f"{base}/pypi/pip/json", timeout=60) as response:
        release = json.load(response)
    for item in release["urls"]:
        if item["filename"].endswith(".whl"):
            return str(item["url"])
    raise SystemExit("make_venv: no pip wheel found on the package index")


def main(target: str) -> None:
    """Create ``target`` with pip in it."""
    path = Path(target)
    try:
        import ensurepip  # noqa: F401

        venv.create(path, with_pip=True, clear=True)
        return
    except (ImportError, subprocess.CalledProcessError):
        pass
    print("make_venv: ensurepip is missing; fetching pip from the package index")
    venv.create(path, with_pip=False, clear=True)
    python = path / "bin" / "python"
    with tempfile.TemporaryDirectory() as tmp:
        wheel = Path(tmp) / "pip-latest-py3-none-any.whl"
        urllib.request.urlretrieve(_pip_wheel_url(), wheel)
        # A wheel is a zip file Python can run from: pip installs itself from it.
        subprocess.run(
            [str(python), f"{wheel}/pip", "install", "--no-index", str(wheel)], check=True
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".venv")
