"""The language model's unpacked cache: the same identifier as py3langid's own, reused, and never a failure."""

from __future__ import annotations

import os
import shutil
from array import array
from pathlib import Path

import numpy as np
import pytest
from py3langid import langid

from pipeline import langid_model
from pipeline.clean import detect_language
from pipeline.settings import Settings, langid_cache_dir

TEXTS = {  # written for these tests
    "en": "The two countries exchanged ninety prisoners of war on Tuesday after weeks of talks.",
    "de": "Am Dienstag tauschten die beiden Länder nach wochenlangen Gesprächen neunzig Kriegsgefangene aus.",
    "fr": "Les deux pays ont échangé mardi quatre-vingt-dix prisonniers de guerre après des semaines de pourparlers.",
    "es": "Los dos países intercambiaron el martes noventa prisioneros de guerra tras semanas de negociaciones.",
    "ru": "Во вторник две страны обменялись девяноста военнопленными после нескольких недель переговоров.",
    "uk": "У вівторок дві країни обмінялися дев'ятьма десятками військовополонених після тижнів перемовин.",
    "pl": "We wtorek oba kraje wymieniły dziewięćdziesięciu jeńców wojennych po tygodniach rozmów.",
    "tr": "İki ülke haftalarca süren görüşmelerin ardından salı günü doksan savaş esirini takas etti.",
    "ar": "تبادل البلدان يوم الثلاثاء تسعين أسير حرب بعد أسابيع من المحادثات.",
    "zh": "经过数周谈判，两国于星期二交换了九十名战俘。",
}
ODD = ["", "   ", "12345 67890", "ok", "ÄÖÜ ß", "<p>x</p>", "a" * 3000, "\u0000\u200b mixed 混合 текст"]


@pytest.fixture(scope="module")
def reference() -> langid.LanguageIdentifier:
    """What py3langid itself loads (no cache)."""
    return langid_model.load_identifier_from(None)


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache directory holding a written model file."""
    directory = tmp_path_factory.mktemp("warm")
    langid_model.load_identifier_from(directory)
    assert len(list(directory.iterdir())) == 1
    return directory


def _cached_file(directory: Path) -> Path:
    return langid_model.cache_path(directory, langid_model.model_key())


def _assert_same(a: langid.LanguageIdentifier, b: langid.LanguageIdentifier) -> None:
    for name in ("nb_ptc", "nb_pc"):
        x, y = getattr(a, name), getattr(b, name)
        assert type(x) is type(y) is np.ndarray and x.dtype == y.dtype and x.shape == y.shape, name
        assert np.array_equal(x, y), name
    for name in ("tk_nextmove", "tk_row"):
        x, y = getattr(a, name), getattr(b, name)
        assert type(x) is type(y) is array and x.typecode == y.typecode and x == y, name
    assert a.nb_classes == b.nb_classes and all(type(c) is str for c in b.nb_classes)
    assert a.tk_output == b.tk_output and all(type(v) is int for v in b.tk_output[:100])
    assert a._rowbase == b._rowbase and a._alias_pairs == b._alias_pairs
    for text in [*TEXTS.values(), *ODD]:
        assert a.classify(text) == b.classify(text) and a.rank(text) == b.rank(text), text


def test_the_cached_identifier_is_py3langids(reference, tmp_path):
    written = langid_model.load_identifier_from(tmp_path)  # no cache yet: py3langid's, then written
    path = _cached_file(tmp_path)
    assert path.is_file() and path.stat().st_size > 60_000_000
    _assert_same(reference, written)
    _assert_same(reference, langid_model.load_identifier_from(tmp_path))  # read from the file


def test_detect_language_is_the_same_with_and_without_the_cache(monkeypatch, warm_cache):
    results = {}
    for setting in ("off", str(warm_cache)):
        monkeypatch.setenv("PIPELINE_LANGID_CACHE", setting)
        monkeypatch.setattr(langid, "IDENTIFIER", None)  # loaded afresh, the way this setting says
        results[setting] = [detect_language(t) for t in [*TEXTS.values(), *ODD]]
        assert langid.IDENTIFIER is not None
    assert results["off"] == results[str(warm_cache)]
    assert results["off"][: len(TEXTS)] == list(TEXTS)  # and they are the right languages


def test_the_cache_is_reused_not_rewritten(monkeypatch, warm_cache, reference):
    path = _cached_file(warm_cache)
    before = path.stat()

    def no_archive(*_a, **_k):  # py3langid's own loading is not what serves a warm cache
        raise AssertionError("the model was unpacked although the cache holds it")

    monkeypatch.setattr(langid.LanguageIdentifier, "from_model_file", no_archive)
    _assert_same(reference, langid_model.load_identifier_from(warm_cache))
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert sorted(warm_cache.iterdir()) == [path]  # no temporary file left behind


def _corruptions(data: bytes) -> dict[str, bytes]:
    mid, start = len(data) // 2, data.index(b"{")
    return {
        "empty": b"",
        "garbage": os.urandom(4096),
        "truncated": data[:mid],
        "one byte flipped": data[:mid] + bytes([data[mid] ^ 0x40]) + data[mid + 1:],
        "bad header": data[:start] + b"!" + data[start + 1:],
        "bad header length": data[:start - 8] + (1 << 40).to_bytes(8, "little") + data[start:],
        "longer": data + b"\0",
    }


def test_a_corrupt_cache_falls_back_and_is_rewritten(warm_cache, tmp_path, reference):
    good = _cached_file(warm_cache).read_bytes()
    for label, data in _corruptions(good).items():
        directory = tmp_path / label.replace(" ", "-")
        directory.mkdir()
        path = _cached_file(directory)
        path.write_bytes(data)
        with pytest.raises(langid_model.CacheError):
            langid_model.read_cache(path, langid_model.model_key())
        _assert_same(reference, langid_model.load_identifier_from(directory))
        assert path.read_bytes() == good, label  # replaced by a whole file


def test_a_cache_for_another_model_is_not_used(warm_cache, tmp_path):
    key = dict(langid_model.model_key(), size=1)
    path = _cached_file(tmp_path)
    shutil.copyfile(_cached_file(warm_cache), path)
    with pytest.raises(langid_model.CacheError, match="another model"):
        langid_model.read_cache(path, key)


def test_an_unwritable_cache_falls_back(tmp_path, reference, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    _assert_same(reference, langid_model.load_identifier_from(blocker / "cache"))  # cannot be created
    assert blocker.read_text() == "not a directory"
    monkeypatch.setenv("PIPELINE_LANGID_CACHE", str(blocker / "cache"))
    monkeypatch.setattr(langid, "IDENTIFIER", None)
    assert detect_language(TEXTS["de"]) == "de"


def test_the_setting():
    assert langid_cache_dir({"PIPELINE_LANGID_CACHE": "off"}) is None
    assert langid_cache_dir({"PIPELINE_LANGID_CACHE": " /srv/c "}) == Path("/srv/c")
    assert langid_cache_dir({"XDG_CACHE_HOME": "/x"}) == Path("/x/prisoner-exchange-pipeline/langid")
    home = Path(os.path.expanduser("~"))
    assert langid_cache_dir({"XDG_CACHE_HOME": "rel"}) == home / ".cache/prisoner-exchange-pipeline/langid"
    assert Settings.from_env({"PIPELINE_LANGID_CACHE": "OFF"}).langid_cache is None
    assert Settings.from_env({}).langid_cache == home / ".cache/prisoner-exchange-pipeline/langid"


def test_tests_do_not_write_to_the_users_cache():
    here = langid_cache_dir()
    assert here is not None and not here.is_relative_to(Path(os.path.expanduser("~")) / ".cache")
