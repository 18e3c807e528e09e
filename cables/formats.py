"""Every format of a release copy: render(doc, fmt) gives one file's bytes, checked() each format's
file leak-checked. txt and html are rendered by cables.export, pdf by cables.pdf (imported only by
those who make PDFs: fpdf2 is slow to import)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cables.export import FORMATS, ReleaseDocument, Secret, check_leaks, extract, render_html, render_text


def render_pdf(doc: ReleaseDocument) -> bytes:
    from cables.pdf import write_pdf

    return write_pdf(doc)


def render(doc: ReleaseDocument, fmt: str) -> bytes:
    """One format's file, as bytes."""
    if fmt == "txt":
        return render_text(doc).encode()
    if fmt == "html":
        return render_html(doc).encode()
    if fmt == "pdf":
        return render_pdf(doc)
    raise ValueError(f"unknown format {fmt!r}")


def checked(
    doc: ReleaseDocument, secrets: Sequence[Secret], formats: Iterable[str] = FORMATS
) -> dict[str, bytes]:
    """Render doc in each format and check each file; raises LeakError on the first leak."""
    files = {}
    for fmt in formats:
        data = render(doc, fmt)
        check_leaks(fmt, extract(fmt, data), doc, secrets)
        files[fmt] = data
    return files
