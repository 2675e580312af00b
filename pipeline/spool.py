"""A scratch file for raw articles as the collect stage fetches them (memory bounded by concurrency).

Any thread may ``add`` an article: it is pickled outside the lock (one frame, exactly as the staging
file stores it), then appended under the lock with its byte range recorded. ``copy_to`` writes the
frames in key order (feed, then entry: the order a single-threaded collect would have produced), so
the staging file stays deterministic whichever fetch finished first.
"""

from __future__ import annotations

import pickle
import threading
from pathlib import Path
from typing import BinaryIO

from pipeline.records import RawArticle

SpoolKey = tuple[int, int]  # (feed index, entry index within the feed)


class RawSpool:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fh: BinaryIO = path.open("w+b")
        self._lock = threading.Lock()
        self._index: list[tuple[SpoolKey, int, int]] = []  # (key, offset, length)

    def add(self, key: SpoolKey, raw: RawArticle) -> None:
        frame = pickle.dumps(raw, protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            offset = self._fh.tell()
            self._fh.write(frame)
            self._index.append((key, offset, len(frame)))

    def discard(self, feed_index: int) -> None:
        """Forget the articles of one feed (their bytes stay in the scratch file, unused)."""
        with self._lock:
            self._index = [e for e in self._index if e[0][0] != feed_index]

    def __len__(self) -> int:
        return len(self._index)

    def copy_to(self, out: BinaryIO) -> None:
        """Every frame, in key order (one frame in memory at a time)."""
        with self._lock:
            self._fh.flush()
            for _key, offset, length in sorted(self._index):
                self._fh.seek(offset)
                out.write(self._fh.read(length))
            self._fh.seek(0, 2)

    def close(self) -> None:
        self._fh.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> RawSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
