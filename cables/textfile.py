"""Turn the bytes of a cable file into text, or say in one line why they are not text."""

from __future__ import annotations

import codecs
from pathlib import Path

# The largest cable of the Cablegate corpus is 66 kB; anything this big is not one cable.
MAX_CABLE_BYTES = 10_000_000


class DecodeError(ValueError):
    """The bytes are not text in an encoding we accept. The message is one line."""


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
            raise DecodeError(f"not UTF-16 text despite its byte-order mark (at byte {e.start})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        if b"\x00" in data[:4096]:
            raise DecodeError(
                "not UTF-8 text: NUL bytes (binary data, or UTF-16 without a byte-order mark)"
            ) from None
        line = data.count(b"\n", 0, e.start) + 1
        raise DecodeError(
            f"not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}, line {line}); "
            "convert the file to UTF-8"
        ) from None


def read_text(path: Path, limit: int = MAX_CABLE_BYTES) -> str:
    """A cable file's text; DecodeError when it is too large for one cable or not text."""
    size = path.stat().st_size
    if size > limit:
        raise DecodeError(f"too large for one cable: {size / 1e6:.1f} MB (the limit is {limit / 1e6:.0f} MB)")
    return decode_text(path.read_bytes())
