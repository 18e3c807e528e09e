"""What the parser returns: `ParsedCable` and its parts (`Portion`, `Reference`, `DroppedLine`), and
`ParseError`. Plain data; the only behaviour is `ParsedCable.to_dict()` (the JSON of
`manage.py parse_cable --json`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


class ParseError(ValueError):
    """The input is not a cable at all (empty, binary, NUL bytes). The message is one line."""


@dataclass(slots=True)
class Portion:
    kind: str  # header, caption, paragraph, heading, text, signature
    label: str  # as printed: "1", "15", "A", "SUBJECT"; "" when none
    marking: str  # as written: "S/NF"; "" when unmarked
    level: str  # U, SBU, C, S, TS; an unmarked portion takes the cable's level
    caveats: tuple[str, ...]  # ("NOFORN",)
    text: str  # page breaks and wrapping removed
    line: int  # 1-based line of the source where the portion starts


@dataclass(frozen=True, slots=True)
class Reference:
    label: str  # "A"; "" for a single unlettered reference
    text: str  # "ANKARA 4240"
    reference_id: str  # "03ANKARA4240" when it cites a cable, else ""


@dataclass(frozen=True, slots=True)
class DroppedLine:
    line: int  # 1-based
    text: str
    reason: str  # "page break", "repeated banner", "SIPDIS", ...


@dataclass(slots=True)
class ParsedCable:
    reference_id: str = ""
    transmission_id: str = ""
    precedence: str = ""
    sent_at: datetime | None = None
    origin: str = ""
    to: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)
    classification: str = ""  # UNCLASSIFIED, CONFIDENTIAL, SECRET, TOP SECRET
    level: str = ""  # U, SBU, C, S, TS
    caveats: list[str] = field(default_factory=list)
    section_count: int = 1
    executive_order: str = ""
    declassify_on: date | None = None
    declassify_instruction: str = ""  # as written: "04/17/2017", "1.6 X1", "N/A"
    tags: list[str] = field(default_factory=list)
    subject: str = ""
    subject_marking: str = ""
    references: list[Reference] = field(default_factory=list)
    classified_by: str = ""  # as written: "Acting Deputy Chief of Mission Marc Wall"
    classifiers: list[str] = field(default_factory=list)  # the people named in it: ["Marc Wall"]
    reasons: list[str] = field(default_factory=list)
    signature: str = ""
    signers: list[str] = field(default_factory=list)  # each name of the signature: ["FITZMAURICE"]
    partial_extract: bool = False
    portions: list[Portion] = field(default_factory=list)
    dropped_lines: list[DroppedLine] = field(default_factory=list)
    # Characters dropped from kept lines: the trailing backslash of each line of the
    # backslash-continued form (text "\\", reason "line continuation").
    dropped_characters: list[DroppedLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of `manage.py parse_cable --json`; dates in ISO 8601."""
        sent_at = self.sent_at.strftime("%Y-%m-%dT%H:%M:%SZ") if self.sent_at else None
        if self.declassify_on:
            declassify_on: str | None = self.declassify_on.isoformat()
        else:
            declassify_on = self.declassify_instruction or None
        return {
            "reference_id": self.reference_id,
            "transmission_id": self.transmission_id,
            "precedence": self.precedence,
            "sent_at": sent_at,
            "origin": self.origin,
            "to": list(self.to),
            "info": list(self.info),
            "classification": self.classification,
            "level": self.level,
            "caveats": list(self.caveats),
            "section_count": self.section_count,
            "executive_order": self.executive_order,
            "declassify_on": declassify_on,
            "tags": list(self.tags),
            "subject": self.subject,
            "subject_marking": self.subject_marking,
            "references": [
                {"label": r.label, "text": r.text, "reference_id": r.reference_id} for r in self.references
            ],
            "classified_by": self.classified_by,
            "classifiers": list(self.classifiers),
            "reasons": list(self.reasons),
            "signature": self.signature,
            "signers": list(self.signers),
            "partial_extract": self.partial_extract,
            "portions": [
                {
                    "kind": p.kind,
                    "label": p.label,
                    "marking": p.marking,
                    "level": p.level,
                    "caveats": list(p.caveats),
                    "text": p.text,
                }
                for p in self.portions
            ],
            "dropped_lines": [d.text for d in self.dropped_lines],
            "dropped_characters": [
                {"line": d.line, "text": d.text, "reason": d.reason} for d in self.dropped_characters
            ],
            "warnings": list(self.warnings),
        }
