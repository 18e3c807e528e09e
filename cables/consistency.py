"""The same or nearly the same passage in other cables: a fingerprint and near-duplicate keys
per portion.

Cables repeat themselves: a reply quotes a paragraph, a cable is re-sent to other posts, a later
cable repeats an earlier one's section. To find those repeats through an index, each portion gets
(computed at ingest, in the parser processes, so it costs the writer nothing):

- a **fingerprint**: a 64-bit hash (BLAKE2b) of the portion's normalised text. Two portions with
  the same fingerprint are the same passage: equal but for case, whitespace, WikiLeaks' `¶`
  anchor, punctuation (`MULL,S` and `MULL'S`) and the portion marks written inside the text
  (`A. (S/NF) ...`). The portion's own mark is not part of its text: a paragraph marked (C) in one
  cable and (S) in another is still the same passage.
- **near-duplicate keys**: BANDS band keys of a MinHash signature of the normalised text's word
  shingles (runs of SHINGLE words). Two portions share a band key with a probability that rises
  steeply with the share of shingles they have in common (their Jaccard similarity); the page
  then measures that share exactly (similarity()) and keeps only those at NEAR or above.

The signature is one-permutation MinHash: each shingle is hashed once (CRC-32 of its UTF-8 bytes),
the hash's low bits pick one of BUCKETS buckets and each bucket keeps
its smallest value; empty buckets of short texts borrow from the next filled bucket
(densification, Shrivastava and Li 2014). Band i is a 63-bit BLAKE2b hash of buckets
[i*ROWS, (i+1)*ROWS). Everything here is deterministic (no salted hash()), so keys computed by
different processes, machines and Python versions agree.

Only passages worth comparing get keys: paragraphs, unnumbered text blocks and the SUBJECT line,
of at least MIN_WORDS words. Routing lines, addressees, TAGS, captions and signatures are the
same in thousands of cables and say nothing about how a passage was decided.

Standard library only, like cables/parser/. The parameters were tuned on the bulk corpus; the
figures are in docs/design/consistency.md.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
import zlib
from collections import deque
from dataclasses import dataclass

SHINGLE = 4  # words per shingle
BUCKETS = 8  # MinHash values per signature (one permutation, BUCKETS buckets; a power of two)
ROWS = 2  # MinHash values per band
BANDS = BUCKETS // ROWS  # band keys stored per portion
BAND_FIELDS = tuple(f"band{i}" for i in range(BANDS))  # their columns on cables.Portion
MIN_WORDS = 12  # shorter passages (signatures, one-line headings, "End summary.") get no keys
NEAR = 0.5  # shingle Jaccard similarity at which two passages count as nearly the same
# A conflict needs more: at 0.5 two cables may share only an introduction ("The following are
# notable economic news stories ...") and differ in what was redacted.
CONFLICT_NEAR = 0.8
KINDS = frozenset({"paragraph", "text"})
HEADER_LABELS = frozenset({"SUBJECT"})

_MARK = re.compile(
    r"\((?:U|SBU|LOU|C|S|TS|SE|CE|NF|UNCLAS(?:SIFIED)?|CONFIDENTIAL|SECRET)(?:\s*/{1,2}\s*[A-Z][A-Z ,/-]*)?\)"
)
_NOT_WORD = re.compile(r"[\W_]+")
# ASCII text (most cables): every byte but a letter or digit becomes a space, letters lower case.
_ASCII_WORDS = bytes(c if chr(c).isalnum() and c < 128 else 32 for c in range(256)).lower()
_MASK32 = 0xFFFFFFFF
_EMPTY = 1 << 32
_PACK = struct.Struct(f">{BUCKETS}Q")
# A shingle hash under this (scaled by the number of shingles) is among the few smallest ones:
# about SAMPLE of them per bucket pass the C-level filter, and only those are sorted into buckets.
SAMPLE = 8
# The two keyed hashes, set up once: copying a set-up BLAKE2b costs a third of making one with its
# parameters, and a cable has some fifty of these hashes to make.
_FINGERPRINT_HASH = hashlib.blake2b(digest_size=8, person=b"declass-fp")
_BAND_HASH = hashlib.blake2b(digest_size=8, person=b"declass-band")
_BAND_BYTES = 8 * ROWS


@dataclass(frozen=True, slots=True)
class Keys:
    """What is stored on a portion: its fingerprint and band keys (signed 64-bit integers)."""

    fingerprint: int | None = None
    bands: tuple[int | None, ...] = (None,) * BANDS

    def as_row(self) -> tuple[int | None, ...]:
        return (self.fingerprint, *self.bands)


NO_KEYS = Keys()


def words(text: str) -> list[bytes]:
    """The normalised words of a text: lower case; no `¶`, punctuation or portion marks."""
    if "(" in text:
        text = _MARK.sub(" ", text)
    text = text.replace("¶", " ")
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_WORDS).split()
    text = _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold())
    return text.encode().split()


def normalise(text: str) -> str:
    """The text as compared: its words() with one space between them."""
    return b" ".join(words(text)).decode()


def fingerprint(normalised: bytes) -> int:
    """A signed 64-bit hash of normalised text, as UTF-8 (PostgreSQL's bigint is signed)."""
    h = _FINGERPRINT_HASH.copy()
    h.update(normalised)
    return int.from_bytes(h.digest(), "big", signed=True)


def shingle_hashes(w: list[bytes]) -> list[int]:
    """CRC-32 of each run of SHINGLE words (of the whole text when it is shorter)."""
    if len(w) <= SHINGLE:
        return [zlib.crc32(b" ".join(w))] if w else []
    runs = zip(*(w[i:] for i in range(SHINGLE)), strict=False)
    return list(map(zlib.crc32, map(b" ".join, runs)))


def signature(hashes: list[int]) -> list[int]:
    """One-permutation MinHash: in each of BUCKETS buckets (a hash's low bits) the smallest hash.

    Only the hashes under a threshold are looked at in Python (filter() runs in C); when that
    leaves a bucket empty the threshold doubles, so the result is exactly the minimum per bucket.
    Buckets a short text leaves empty take the next filled bucket's value, marked with the
    distance (rotation densification).
    """
    mask = BUCKETS - 1
    threshold = (SAMPLE * BUCKETS << 32) // max(len(hashes), 1)
    while True:
        mins = [_EMPTY] * BUCKETS
        for h in filter(threshold.__gt__, hashes):
            bucket = h & mask
            if h < mins[bucket]:
                mins[bucket] = h
        if _EMPTY not in mins or threshold > _MASK32:
            break
        threshold *= 2
    if _EMPTY in mins and hashes:
        for i in range(BUCKETS):
            if mins[i] == _EMPTY:
                distance = 1
                while mins[(i + distance) % BUCKETS] >= _EMPTY:
                    distance += 1
                mins[i] = _EMPTY + (distance << 32) + mins[(i + distance) % BUCKETS]
    return mins


def band_keys(mins: list[int]) -> tuple[int, ...]:
    """A signed 64-bit BLAKE2b hash of each band of ROWS values."""
    packed = _PACK.pack(*mins)
    keys = []
    for i in range(0, len(packed), _BAND_BYTES):
        h = _BAND_HASH.copy()
        h.update(packed[i : i + _BAND_BYTES])
        keys.append(int.from_bytes(h.digest(), "big", signed=True))
    return tuple(keys)


def eligible(kind: str, label: str) -> bool:
    return kind in KINDS or (kind == "header" and label in HEADER_LABELS)


def keys_for(kind: str, label: str, text: str) -> Keys:
    """The keys stored on a portion, or NO_KEYS for a kind or a length not worth comparing."""
    if not eligible(kind, label):
        return NO_KEYS
    if len(text) > LONG:
        return _long_keys(text)
    w = words(text)
    if len(w) < MIN_WORDS:
        return NO_KEYS
    return Keys(fingerprint(b" ".join(w)), band_keys(signature(shingle_hashes(w))))


# Past this many characters a portion's keys are computed without a list of its words and of its
# shingle hashes (some 100 bytes each: a 10 MB portion took 250 MB), to the same values.
LONG = 100_000
_WORD = re.compile(rb"[^ ]+")


def _long_keys(text: str) -> Keys:
    """keys_for() of a long text, in memory proportional to the text: the normalised text is
    one bytes object, read word by word into the fingerprint's hash and the MinHash."""
    if "(" in text:
        text = _MARK.sub(" ", text)
    text = text.replace("¶", " ")
    if text.isascii():
        spaced = text.encode("ascii").translate(_ASCII_WORDS)
    else:
        spaced = _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).encode()
    del text
    # Every character but a word's is a space now: the words are the runs of other bytes.
    whole = _FINGERPRINT_HASH.copy()
    recent: deque[bytes] = deque(maxlen=SHINGLE)
    mask = BUCKETS - 1
    mins = [_EMPTY] * BUCKETS
    count = 0
    for match in _WORD.finditer(spaced):
        word = match.group()
        whole.update(b" " + word if count else word)
        count += 1
        recent.append(word)
        if count >= SHINGLE:
            h = zlib.crc32(b" ".join(recent))
            if h < mins[h & mask]:
                mins[h & mask] = h
    if count <= max(MIN_WORDS, SHINGLE) or _EMPTY in mins:
        return keys_for_words(spaced.split())  # short after all, or a bucket left empty
    return Keys(int.from_bytes(whole.digest(), "big", signed=True), band_keys(mins))


def keys_for_words(w: list[bytes]) -> Keys:
    if len(w) < MIN_WORDS:
        return NO_KEYS
    return Keys(fingerprint(b" ".join(w)), band_keys(signature(shingle_hashes(w))))


def shingles(text: str) -> set[int]:
    """The shingle hashes of a text, for similarity()."""
    return set(shingle_hashes(words(text)))


def similarity(a: str | set[int], b: str | set[int]) -> float:
    """The Jaccard similarity of two texts' shingle sets (1.0 for the same passage)."""
    sa = shingles(a) if isinstance(a, str) else a
    sb = shingles(b) if isinstance(b, str) else b
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)
