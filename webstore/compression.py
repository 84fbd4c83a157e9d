"""Gzip for what the storefront sends, paid once where it can be: static files are compressed
at start-up, and a page drawn once for every visitor (webstore.visit.DrawnPage) keeps its
shared parts compressed, each visitor's few bytes (CSRF token, cart count) spliced in as
stored deflate blocks — no compression work per request.

A gzip member is a header, a deflate stream and a trailer (CRC-32 and length of the
uncompressed bytes). A deflate stream may be cut into blocks anywhere: a compressor flushed
with Z_SYNC_FLUSH ends byte-aligned on a non-final block, so the next bytes can be a stored
block (raw bytes after a five-byte header) or the blocks of another compressor, which
refers to nothing before it. The last part is flushed with Z_FINISH, whose last block is
final."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Sequence

LEVEL = 6  # zlib's default: most of level 9's gain at a fraction of its time
# Below this a body is sent as it is: the gzip frame would cost more than it saves.
MIN_SIZE = 512
_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no time, unknown OS
_MAX_STORED = 0xFFFF
_GZIP_RE = re.compile(r"(?:^|,)\s*gzip\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*(?:,|$)", re.IGNORECASE)


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header admits gzip (`gzip;q=0` refuses it)."""
    if "gzip" not in accept_encoding.lower():
        return False
    found = _GZIP_RE.search(accept_encoding)
    if found is None:
        return False
    try:
        return found.group(1) is None or float(found.group(1)) > 0
    except ValueError:
        return False


def gzip_bytes(data: bytes, level: int = LEVEL) -> bytes:
    """`data` as one gzip member (no file name, no time: the same bytes every time)."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = packer.compress(data) + packer.flush(zlib.Z_FINISH)
    return _HEADER + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def _deflated(part: bytes, last: bool) -> bytes:
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(part) + packer.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def _stored(data: bytes) -> bytes:
    """Raw bytes as non-final stored blocks (the stream is byte-aligned before them)."""
    out = bytearray()
    for start in range(0, len(data), _MAX_STORED):
        chunk = data[start : start + _MAX_STORED]
        out += b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk
    return bytes(out)


class Deflated:
    """Bytes spliced into many pages, compressed once (a stored block would send them as
    they are: worth it for a few bytes, not for a stylesheet)."""

    __slots__ = ("deflated", "plain")

    def __init__(self, plain: bytes) -> None:
        self.plain = plain
        self.deflated = _deflated(plain, last=False)


class SplicedGzip:
    """Fixed parts compressed once; `join(values)` gives the gzip of
    `parts[0] + values[0] + parts[1] + … + parts[-1]` with no compression work."""

    __slots__ = ("_deflated", "_parts")

    def __init__(self, parts: Sequence[bytes]) -> None:
        assert parts, "at least one part"
        self._parts = tuple(parts)
        last = len(parts) - 1
        self._deflated = tuple(_deflated(part, i == last) for i, part in enumerate(parts))

    def join(self, values: Sequence[bytes | Deflated]) -> bytes:
        assert len(values) == len(self._parts) - 1, "one value between two parts"
        out = [_HEADER]
        crc, size = 0, 0
        for part, deflated, value in zip(self._parts, self._deflated, values, strict=False):
            if isinstance(value, Deflated):
                plain, packed = value.plain, value.deflated
            else:
                plain, packed = value, _stored(value)
            crc = zlib.crc32(plain, zlib.crc32(part, crc))
            size += len(part) + len(plain)
            out += (deflated, packed)
        crc = zlib.crc32(self._parts[-1], crc)
        size += len(self._parts[-1])
        out += (self._deflated[-1], struct.pack("<II", crc, size & 0xFFFFFFFF))
        return b"".join(out)
