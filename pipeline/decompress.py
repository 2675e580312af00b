"""Content-Encoding decoded incrementally, with the decoded size capped as it is produced.

httpx decodes each network chunk in one call, so a 64 KB gzip chunk may expand to 64 MB (and a
few bytes of brotli to far more) before any size check can run. Here every decoder is asked for at
most ``step`` bytes at a time (``zlib`` ``max_length``, brotli ``output_buffer_limit``), and the
reader stops as soon as the total passes the cap: memory stays near ``step`` plus the cap.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

import brotli

from pipeline.errors import FetchError

STEP = 64 * 1024


class TooLarge(FetchError):
    def __init__(self, limit: int) -> None:
        super().__init__("too large", f"more than {limit} decoded bytes")


class _Zlib:
    """gzip or zlib-wrapped deflate; raw deflate when the stream has no zlib header (as browsers do).

    A body labelled gzip/deflate that does not start like one is passed through unchanged: some
    servers label plain bodies that way, and browsers read them.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._obj: zlib._Decompress | None = None  # type: ignore[name-defined]
        self._plain = False

    def _start(self, first: bytes) -> None:
        if self.kind == "gzip":
            if first[:2] != b"\x1f\x8b":
                self._plain = True
                return
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif len(first) >= 2 and (first[0] & 0x0F) == 8 and int.from_bytes(first[:2], "big") % 31 == 0:
            self._obj = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
            probe = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                probe.decompress(first[:1024], 1)
            except zlib.error:
                self._obj, self._plain = None, True

    def feed(self, data: bytes, step: int) -> Iterator[bytes]:
        if self._obj is None and not self._plain:
            self._start(data)
        if self._plain or self._obj is None:
            yield data
            return
        try:
            out = self._obj.decompress(data, step)
            while out:
                yield out
                out = self._obj.decompress(self._obj.unconsumed_tail, step)
        except zlib.error as exc:
            raise FetchError("bad encoding", f"{self.kind}: {exc}") from exc

    def flush(self) -> bytes:
        if self._obj is None:
            return b""
        if not self._obj.eof:
            raise FetchError("bad encoding", f"{self.kind}: truncated stream")
        return self._obj.flush()


class _Brotli:
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def feed(self, data: bytes, step: int) -> Iterator[bytes]:
        try:
            out = self._obj.process(data, output_buffer_limit=step)
            while out:
                yield out
                if self._obj.is_finished() or self._obj.can_accept_more_data():
                    break
                out = self._obj.process(b"", output_buffer_limit=step)
        except brotli.error as exc:
            raise FetchError("bad encoding", f"br: {exc}") from exc

    def flush(self) -> bytes:
        if not self._obj.is_finished():
            raise FetchError("bad encoding", "br: truncated stream")
        return b""


class _Identity:
    def feed(self, data: bytes, step: int) -> Iterator[bytes]:
        yield data

    def flush(self) -> bytes:
        return b""


def _decoder(name: str) -> _Zlib | _Brotli | _Identity:
    if name in ("gzip", "x-gzip"):
        return _Zlib("gzip")
    if name == "deflate":
        return _Zlib("deflate")
    if name == "br":
        return _Brotli()
    if name in ("identity", ""):
        return _Identity()
    raise FetchError("bad encoding", f"unsupported Content-Encoding {name[:40]}")


def decoders_for(content_encoding: str) -> list:
    """Decoders in the order to apply them (the header lists encodings in the order applied)."""
    names = [n.strip().lower() for n in content_encoding.split(",") if n.strip()]
    if len(names) > 3:
        raise FetchError("bad encoding", f"{len(names)} stacked encodings")
    return [_decoder(n) for n in reversed(names)]


def decode_capped(raw_chunks: Iterable[bytes], content_encoding: str, limit: int,
                  step: int = STEP) -> bytes:
    """The decoded body, or ``TooLarge`` as soon as more than ``limit`` bytes would be produced."""
    chain = decoders_for(content_encoding)
    out = bytearray()

    def push(level: int, data: bytes) -> None:
        if level == len(chain):
            if len(out) + len(data) > limit:
                raise TooLarge(limit)
            out.extend(data)
            return
        for piece in chain[level].feed(data, step):
            push(level + 1, piece)

    received = 0
    for chunk in raw_chunks:
        received += len(chunk)
        if received > limit:
            raise TooLarge(limit)
        push(0, chunk)
    for level, dec in enumerate(chain):
        tail = dec.flush()
        if tail:
            push(level + 1, tail)
    return bytes(out)
