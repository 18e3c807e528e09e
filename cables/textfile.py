"""Turn the bytes of a cable file into text, or say in one line why they are not text."""

from __future__ import annotations

import codecs
from pathlib import Path


class DecodeError(ValueError):
    """The bytes are not text in an encoding we accept."""


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), or UTF-16 with a byte-order mark.

    Anything else is refused rather than guessed: a cable decoded with the wrong code page would be
    stored with its text silently changed.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise DecodeError(f"not valid UTF-16 text (byte {e.start})") from e
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise DecodeError(
            f"not UTF-8 text: byte 0x{data[e.start]:02x} at line {line} (convert the file to UTF-8)"
        ) from e


def read_text(path: Path) -> str:
    return decode_text(path.read_bytes())
