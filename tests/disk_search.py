"""A binary-safe search of a data directory for a value, as someone reading the disk would do it: every file's
raw bytes, plus every string that Redis's RDB format stores LZF-compressed (the base of the embedded
database's append-only file compresses strings over 20 bytes, so a plain grep would miss them)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

_LZF = 0xC3  # RDB: a string encoded as LZF: clen, len (RDB length encoding), then clen compressed bytes


def _length(data: bytes, at: int) -> tuple[int, int] | None:
    """An RDB length-encoded integer at `at`: (value, position after it)."""
    if at >= len(data):
        return None
    first = data[at]
    kind = first >> 6
    if kind == 0:
        return first & 0x3F, at + 1
    if kind == 1 and at + 1 < len(data):
        return ((first & 0x3F) << 8) | data[at + 1], at + 2
    if first == 0x80 and at + 5 <= len(data):
        return int.from_bytes(data[at + 1 : at + 5], "big"), at + 5
    if first == 0x81 and at + 9 <= len(data):
        return int.from_bytes(data[at + 1 : at + 9], "big"), at + 9
    return None


def lzf_decompress(data: bytes, expected: int) -> bytes | None:
    """LZF (liblzf) decompression; None when `data` is not a valid stream of `expected` bytes."""
    out = bytearray()
    i = 0
    while i < len(data):
        ctrl = data[i]
        i += 1
        if ctrl < 32:
            n = ctrl + 1
            if i + n > len(data):
                return None
            out += data[i : i + n]
            i += n
        else:
            length = ctrl >> 5
            if length == 7:
                if i >= len(data):
                    return None
                length += data[i]
                i += 1
            if i >= len(data):
                return None
            ref = len(out) - ((ctrl & 0x1F) << 8) - data[i] - 1
            i += 1
            if ref < 0:
                return None
            for _ in range(length + 2):
                out.append(out[ref])
                ref += 1
        if len(out) > expected:
            return None
    return bytes(out) if len(out) == expected else None


def compressed_strings(data: bytes) -> Iterator[bytes]:
    """Every LZF-compressed RDB string in `data` (tried at each marker byte; false starts fail to decode)."""
    at = data.find(_LZF)
    while at != -1:
        clen = _length(data, at + 1)
        size = _length(data, clen[1]) if clen else None
        if clen and size and 0 < clen[0] <= len(data) - size[1] and size[0] < 1 << 26:
            text = lzf_decompress(data[size[1] : size[1] + clen[0]], size[0])
            if text is not None:
                yield text
        at = data.find(_LZF, at + 1)


def files_holding(directory: Path, value: str) -> list[str]:
    """The files under `directory` whose bytes, or compressed strings, contain `value`."""
    needle = value.encode()
    found = []
    for path in sorted(directory.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if needle in data or any(needle in text for text in compressed_strings(data)):
            found.append(str(path.relative_to(directory)))
    return found
