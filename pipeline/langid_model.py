"""py3langid's language model, loaded from an uncompressed cache file instead of its LZMA archive.

py3langid ships its model as ``model.npz.xz`` (4.6 MB; 68 MB unpacked) and unpacks it on the first
``classify`` of every process: about 0.75 CPU-s, 0.55 of them in LZMA alone, paid by each cleaner
worker's (or zygote's) warm-up and by a parent that cleans pages in-process. Here the arrays of the
identifier py3langid builds are written once, uncompressed, to one file in a user cache directory;
later loads read them straight into the same types (numpy arrays, ``array.array``, lists) and build
the same ``LanguageIdentifier`` from them, in a few hundredths of a CPU-second.

The cache file is named after a key (py3langid's version, the model file's size and modification
time), which its header repeats; the data carries a CRC32. It is written to a temporary file in
the same directory and renamed into place, so a reader sees a whole file or none. Any problem with
the cache (no such file, stale key, truncated or corrupt file, unwritable directory) falls back to
py3langid's own loading: the cache can make the first ``classify`` slower or faster, never fail it.

Where: ``PIPELINE_LANGID_CACHE`` (a directory; ``off`` disables the cache), by default
``$XDG_CACHE_HOME/prisoner-exchange-pipeline/langid`` (``~/.cache/...`` when that is unset).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import zlib
from array import array
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import py3langid
from py3langid import langid

from pipeline.settings import langid_cache_dir

LOGGER = logging.getLogger(__name__)
_MAGIC = b"PXP-LANGID-CACHE 1\n"
_MAX_HEADER = 1 << 20


class CacheError(Exception):
    """The cache file is not one this model can be loaded from (stale, truncated, corrupt)."""


def model_file() -> Path:
    """The model file py3langid loads by default."""
    return Path(langid.MODEL_DIR) / langid.MODEL_FILE


def model_key(path: Path | None = None) -> dict[str, Any]:
    """What identifies the model: py3langid's version and the file's size and modification time."""
    path = path or model_file()
    st = path.stat()
    return {"py3langid": getattr(py3langid, "__version__", "unknown"), "model": path.name,
            "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def cache_path(directory: Path, key: dict[str, Any]) -> Path:
    """The cache file for ``key`` in ``directory`` (one file a model: versions side by side)."""
    digest = hashlib.sha1(json.dumps(key, sort_keys=True).encode(), usedforsecurity=False).hexdigest()[:16]
    return directory / f"py3langid-{key['py3langid']}-{digest}.model"


def identifier() -> langid.LanguageIdentifier:
    """This process's identifier (py3langid's own global, so ``py3langid.classify`` shares it),
    loaded on first use, from the cache when it can be."""
    ident = langid.IDENTIFIER
    if ident is None:
        ident = langid.IDENTIFIER = load_identifier()
    return ident


def load_identifier() -> langid.LanguageIdentifier:
    """The identifier, through the cache ``PIPELINE_LANGID_CACHE`` of this process's environment names."""
    return load_identifier_from(langid_cache_dir())


def load_identifier_from(directory: Path | None) -> langid.LanguageIdentifier:
    """The ``LanguageIdentifier`` py3langid builds for its default model, read from the cache in
    ``directory`` (None: no cache), and written there when missing or unusable."""
    if directory is None:
        return _from_py3langid()
    try:
        key = model_key()
        path = cache_path(directory, key)
    except OSError:
        return _from_py3langid()
    try:
        return read_cache(path, key)
    except FileNotFoundError:
        pass
    except Exception as exc:  # stale, truncated, corrupt, unreadable: rebuilt from the archive
        LOGGER.warning("language model cache %s not used (%s: %s); loading the model afresh",
                       path, type(exc).__name__, exc)
    ident = _from_py3langid()
    try:
        write_cache(path, key, ident)
    except Exception as exc:  # unwritable, disk full: the next process tries again
        LOGGER.info("language model cache %s not written (%s: %s)", path, type(exc).__name__, exc)
    return ident


def _from_py3langid() -> langid.LanguageIdentifier:
    """What ``py3langid.classify`` would load (its default model, raw scores, every language)."""
    return langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE)


def _segments(ident: langid.LanguageIdentifier) -> list[tuple[dict[str, Any], Any]]:
    """(description, buffer) of each array the identifier is built from, in file order."""
    output = np.asarray(ident.tk_output, dtype=np.int64)
    out: list[tuple[dict[str, Any], Any]] = []
    for name, value in (("nb_ptc", ident.nb_ptc), ("nb_pc", ident.nb_pc), ("tk_output", output)):
        arr = np.ascontiguousarray(value)
        out.append(({"name": name, "kind": "ndarray", "dtype": arr.dtype.str, "shape": list(arr.shape)}, arr))
    for name, value in (("tk_nextmove", ident.tk_nextmove), ("tk_row", ident.tk_row)):
        if not isinstance(value, array):
            raise TypeError(f"{name}: expected array.array, got {type(value).__name__}")
        out.append(({"name": name, "kind": "array", "typecode": value.typecode, "itemsize": value.itemsize,
                     "length": len(value)}, value))
    return out


def write_cache(path: Path, key: dict[str, Any], ident: langid.LanguageIdentifier) -> None:
    """Write ``ident``'s model to ``path`` atomically (a temporary file renamed into place)."""
    segments = _segments(ident)
    crc, size = 0, 0
    for _desc, buf in segments:
        view = memoryview(buf).cast("B")
        crc, size = zlib.crc32(view, crc), size + view.nbytes
    header = json.dumps({"key": key, "classes": list(ident.nb_classes), "segments": [d for d, _b in segments],
                         "data_bytes": size, "crc32": crc}).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would keep other users of a shared cache out
        with os.fdopen(fd, "wb") as f:
            f.write(_MAGIC + len(header).to_bytes(8, "little") + header)
            for _desc, buf in segments:
                f.write(memoryview(buf).cast("B"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_cache(path: Path, key: dict[str, Any]) -> langid.LanguageIdentifier:
    """The identifier from the cache file at ``path``; ``CacheError`` unless it is whole and for ``key``."""
    with open(path, "rb") as f:
        header = _read_header(f, key)
        if os.fstat(f.fileno()).st_size != f.tell() + header["data_bytes"]:
            raise CacheError("file size does not match its header")
        parts: dict[str, Any] = {}
        crc = 0
        for desc in header["segments"]:
            buf = _read_segment(f, desc)
            crc = zlib.crc32(memoryview(buf).cast("B"), crc)
            parts[desc["name"]] = buf
    if crc != header["crc32"]:
        raise CacheError("checksum mismatch")
    classes = header["classes"]
    if not (isinstance(classes, list) and all(isinstance(c, str) for c in classes)):
        raise CacheError("bad class list")
    ptc, pc, nextmove, row, output = (parts[n] for n in ("nb_ptc", "nb_pc", "tk_nextmove", "tk_row", "tk_output"))
    if ptc.ndim != 2 or ptc.shape[1] != len(classes) or pc.shape != (len(classes),) or len(row) != len(output):
        raise CacheError("arrays do not fit together")
    return langid.LanguageIdentifier(ptc, pc, classes, nextmove, output.tolist(), tk_row=row)


def _read_header(f: BinaryIO, key: dict[str, Any]) -> dict[str, Any]:
    if f.read(len(_MAGIC)) != _MAGIC:
        raise CacheError("not a language model cache file")
    length = int.from_bytes(f.read(8), "little")
    if not 0 < length <= _MAX_HEADER:
        raise CacheError("bad header length")
    try:
        header = json.loads(f.read(length))
    except ValueError as exc:
        raise CacheError(f"bad header: {exc}") from None
    if not isinstance(header, dict) or header.get("key") != key:
        raise CacheError("written for another model")
    return header


def _read_segment(f: BinaryIO, desc: dict[str, Any]) -> Any:
    if desc["kind"] == "array":
        arr = array(desc["typecode"], [0])
        if arr.itemsize != desc["itemsize"]:
            raise CacheError(f"{desc['name']}: item size {arr.itemsize} here, {desc['itemsize']} in the file")
        arr *= desc["length"]  # sized first, then filled in place (``fromfile`` copies twice)
        _fill(f, memoryview(arr).cast("B"), desc["name"])
        return arr
    if desc["kind"] != "ndarray":
        raise CacheError(f"{desc['name']}: unknown kind {desc['kind']!r}")
    nd: Any = np.empty(tuple(desc["shape"]), dtype=np.dtype(desc["dtype"]))
    if nd.dtype.hasobject:
        raise CacheError(f"{desc['name']}: object arrays are not cached")
    _fill(f, memoryview(nd).cast("B"), desc["name"])
    return nd


def _fill(f: BinaryIO, view: memoryview, name: str) -> None:
    if f.readinto(view) != view.nbytes:  # type: ignore[attr-defined]
        raise CacheError(f"{name}: truncated")
