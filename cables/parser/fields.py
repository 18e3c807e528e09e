"""The values of header fields other than REF, each read from the field's text: the Classified By
line's name and reasons (`_set_classified_by`, `classifier_names`), TAGS (`parse_tags`, against the
corpus's tag codes), the SUBJECT (`clean_subject`), the signature's names (`signers_of`) and what may
follow a signature (`_is_closing_residue`).

Contract: pure functions of one field's text (`_set_classified_by` writes its three results onto the
cable it is given)."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from cables.parser.markings import _banner_level, normalise_reasons
from cables.parser.model import ParsedCable
from cables.tag_codes import TAG_CODES

_SIGNATURE_RE = re.compile(r"[A-Z][A-Za-z.'\- ]{1,40}$")


def _set_classified_by(cable: ParsedCable, text: str) -> None:
    """The name and title (as written), the people named and the reasons of a Classified By field."""
    cable.classified_by, classifiers, reasons = _read_classified_by(" ".join(text.split()))
    cable.classifiers, cable.reasons = list(classifiers), list(reasons)


@lru_cache(maxsize=4096)  # a post's cables are classified by the same few people, for the same reasons
def _read_classified_by(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    head = text[:300]  # a name and title are shorter; the rest is reasons or the paragraph
    low = head.lower()
    if "0" in low:  # "REAS0N", "BASED 0N": a zero typed for the letter O (same length)
        low = _LOWER_ZERO_FOR_O_RE.sub("o", low)
    m = _CLASSIFIED_CUT_RE.search(low)
    cut = m.start() if m else len(text)
    if m is None:
        # "for re asons", "f or reasons": the reason's word broken by the teletype's wrapping.
        for fm in _FOR_RE.finditer(head):
            if "".join(text[fm.end() : fm.end() + 12].split()).lower().startswith(("reas", "reao", "res")):
                cut = fm.start()
                break
    name = text[:cut].strip(" ,;:-")
    if closing := _CLOSING_LEVEL_RE.search(name):  # "TOM MCDONALD. CONFIDENTIAL" (the page's foot)
        name = name[: closing.start()]
    if name.endswith(".") and not _KEEPS_DOT_RE.search(name):
        name = name.rstrip(".").rstrip()
    if name.upper().startswith("BY "):
        name = name[3:]
    if name.upper().startswith("CLASSIFIED BY "):
        name = name[14:]
    # Words left between the name and a reason cut off by a typo ("for for", "F0R", "DUE TO").
    while (words := name.rsplit(None, 1)) and len(words) == 2 and words[1].upper() in _DANGLING_WORDS:
        name = words[0].rstrip(" ,;")
    return name, tuple(classifier_names(name)), tuple(normalise_reasons(text[cut:]))


# Where the reasons begin, in the lower-cased line: the name and title end before it.
# (The lookahead, the first letters of the words, turns most places down before the word boundary and
# the alternatives are tried.)
_CLASSIFIED_CUT_RE = re.compile(
    r"(?=[re1bdpu])\b(?:reasons?\b|rea\s?sons?\b|re\s?asons?\b|r\s?easons?\b|reaons\b|resons\b|rasons\b|reas\b"
    r"|e\.\s?o\.?\s?12958|1\s?\.\s?[2456]\b|based\s+(?:on|upon)\b|due\s+to\b"
    r"|(?:per|under)\s+(?:reasons?|section|1\.)|under\s+se\s?ction\b)"
)
_LOWER_ZERO_FOR_O_RE = re.compile(r"0(?:(?<=[a-z]0)|(?<=\b0)(?=[a-z]))")
_CLOSING_LEVEL_RE = re.compile(r"(?<=\.)\s+(?:UNCLASSIFIED|CONFIDENTIAL|SECRET)$")
_KEEPS_DOT_RE = re.compile(r"(?:\b[A-Z]|\b[JS]r|\b[JS]R)\.$")
_DANGLING_WORDS = frozenset(
    {"FOR", "F0R", "FR", "F", "OR", "DUE", "TO", "UNDER", "PER", "12958", "E.O.", "EO"}
)
_FOR_RE = re.compile(r"\s(?:f\s?or|fr)\s+", re.IGNORECASE)
_NAME_TOKEN_RE = re.compile(r"(?:[A-Z0][A-Za-z0'.\-]*|Mc[A-Z][a-z]+|d'[A-Z][a-z]+)$")
# Words of a title or office, never of a name ("Acting Deputy Chief of Mission Marc Wall").
_TITLE_WORDS = frozenset(
    (
        "A/DCM A/S ACTING ADVISER ADVISOR AF AFFAIRES AFFAIRS AFFIARS AI AIT AMB AMB. ASSISTANT ATTACHE CDA"
        " CHAIRMAN CHARGE CHIEF COM CONGEN CONSUL COORDINATOR COUN COUNS COUNSEL0R COUNSELLOR COUNSELOR"
        " COUNSELOUR DAS DCM DEFENSE DEPARTMENT DEPUTY DIR DIR. DIRECTOR DOS DPO ECMIN ECON ECONOFF ECONOMIC"
        " ECPO EMBASSY ENVOY EUR GENERAL GOVERNANCE GUIDE HEAD INSTITUTIONAL IO IPO ISN LABOR LEADER LEGAL"
        " LTC MCOUNSELOR MEMBER MIN MINISTER MINISTER-COUNSELOR MINISTER-COUNSELLOR MINISTER-COUNSELOUR"
        " MISSION NEA OF OFF OFFICER PDAS PERMANENT POL POL/C POLITICAL POLMINCONS POLOFF PRINCIPAL PRT"
        " REPRESENATIVE REPRESENTATIVE RSO SECRETARY SECTION SPECIAL STATE TDY TEAM UNIT USDEL USEU USUN"
        " THE AND FOR AMBASSADOR-AT-LARGE CLASSIFICATION DIRECTORATE DESK OFFICE CONSULATE UNDER U.S. US"
        " BY TO MC ARSO DELEGATE DELEGATION EMIN ECOPOL COUNCILOR CONTROL ARMS A/DAS DAS/ ASST SEC"
    ).split()
)


def classifier_names(classified_by: str) -> list[str]:
    """The person named in a "Classified By" line, without the title: `Acting DCM Marc Wall` ->
    ["Marc Wall"], `Rose E. Gottemoeller, Assistant Secretary` -> ["Rose E. Gottemoeller"],
    `Charge d,Affaires O,Grady` -> ["O'Grady"] (apostrophes typed as commas). [] when no name is found.
    """
    text = classified_by
    if "," in text:
        text = _SUFFIX_RE.sub(" \x01\\1", _COMMA_APOSTROPHE_RE.sub("'", text))
    runs: list[str] = []
    for seg in _NAME_SEPARATOR_RE.split(text):
        tokens: list[str] = []
        for token in seg.split():
            # "Hoyt Y ee", "Blah a": a name broken by the teletype's wrapping.
            if (
                tokens
                and token.islower()
                and len(token) <= 3
                and (token not in _SMALL_WORDS or token == "a" and seg.endswith(" a"))
                and "." not in token
                and tokens[-1][-1].isalpha()
            ):
                tokens[-1] += token
            else:
                tokens.append(token)
        k = len(tokens)
        while k > 0 and _is_name_token(tokens[k - 1]):
            k -= 1
        run = tokens[k:]
        if len(run) >= 3 and k > 0 and len(run[0]) == 1 and (tokens[k - 1] + run[0]).upper() in _TITLE_WORDS:
            run = run[1:]  # "AFFAIR S ROBERT LUKE": a title's last letter wrapped onto the name
        if (
            len(run) > 2
            and tokens[k - 1].upper() in ("FOR", "TO", "AND")
            and any(t.upper() in ("FOR", "TO") for t in tokens[:k])
        ):
            # "DAS for Central Asia George Krol", "Ambassador to Sudan Timothy Carney": the place the
            # title names runs into the name; keep the name (an initial, a suffix with it).
            keep = 3 if _INITIAL_RE.fullmatch(run[-2]) or _INITIAL_RE.fullmatch(run[-3]) else 2
            if run[-1].startswith("\x01"):
                keep += 1
            run = run[-keep:]
        if not run or all(len(t.rstrip(".")) <= 1 for t in run):
            continue  # no name, or only initials
        name = " ".join(run).replace(" \x01", ", ")
        if name.endswith(".") and not _KEEPS_DOT_RE.search(name):
            name = name[:-1]
        if k == 0 and len(run) >= 2:
            return [name]  # a segment that is a name and nothing else
        runs.append(name)
    return [r for r in runs if " " in r][:1] or runs[-1:]


def _is_name_token(token: str) -> bool:
    token = token.lstrip("\x01")
    upper = token.upper()
    if upper in _TITLE_WORDS or upper.startswith(_TITLE_PREFIXES):
        return False
    if (word := upper.rstrip(".")).endswith("OFF") and word[:-3] in _OFF_STEMS:  # POLOFF, ECONOFF
        return False
    if "COUNS" in upper or "COUNC" in upper or upper == "COUN" or "AFFAI" in upper or "SECRETAR" in upper:
        return False
    return _NAME_TOKEN_RE.match(token) is not None


# Officers named by their section: POLOFF, ECONOFF, ... (a name may end in -off: Nemroff).
_OFF_STEMS = frozenset(
    "POL ECON ECO POLEC ECPO CONS MGMT PA PD POLMIL MIL RS LAB SCI ESTH GSO IO POLECON ECONPOL PAO ADMIN"
    " REF POLE CON".split()
)
_SMALL_WORDS = frozenset({"for", "fr", "of", "and", "the", "to", "in", "on", "at", "per", "by", "a", "an"})
_TITLE_PREFIXES = (
    "AMBAS",
    "AMABAS",
    "ABASS",
    "AMBS",
    "AMBB",
    "DIREC",
    "DIRECO",
    "CHARGE",
    "D'AFF",
    "MINISTER",
    "CIEF",
)
_COMMA_APOSTROPHE_RE = re.compile(r"(?<=\b[OoDd]),(?=[A-Za-z])")
_SUFFIX_RE = re.compile(r",\s*((?:JR|SR)\.?|II|III|IV)(?=[\s,.;:]|$)", re.IGNORECASE)
_NAME_SEPARATOR_RE = re.compile(r"\s*(?:[,;:()]|\s-\s|/(?=[A-Z][a-z]))\s*")
_INITIAL_RE = re.compile(r"[A-Z0]\.")
_NAME_SUFFIXES = frozenset({"JR", "SR", "II", "III", "IV"})


def parse_tags(text: str) -> list[str]:
    """The tags of a TAGS field, in order, once each, in capitals.

    `PREL PGOV IZ` and `PREL, PGOV, IZ` -> ["PREL", "PGOV", "IZ"]; a name in parentheses is one tag
    (`OVIP (STEINBERG, JAMES B.)` -> ["OVIP", "STEINBERG, JAMES B."]). Words are read against the tag
    codes of the corpus (cables/tag_codes.py): codes run together are split (`ETRDEINVECINPGOVCS`,
    `PHUMBA`), a code typed with one letter too many is corrected (`MOPPS` -> MOPS, `UNDESCO` ->
    UNESCO), words that are not codes next to each other are one subject keyword (`HUMAN RIGHTS`,
    `GOI EXTERNAL`), and the two words after OVIP that are not both codes are the visitor's name
    (`OVIP CLINTON HILLARY` -> "CLINTON, HILLARY"). A page header run onto the line (`SECRET  PAGE
    02  ROME 03067 211833Z`) ends the field.
    """
    text = text.upper()
    if "PAGE" in text:
        text = _TAGS_PAGE_BREAK_RE.split(text, maxsplit=1)[0]
    tags: list[str] = []
    # (named, plain): the text of a part in parentheses, or else of a part between them.
    if "(" in text or ")" in text:
        parts = [m.groups() for m in _TAG_PART_RE.finditer(text)]
    else:
        parts = [(None, text)]  # most fields: one part, no name
    for named, plain in parts:
        if named is not None:
            items = [" ".join(named.split()).strip(" ,")]
        else:
            items = [t.strip(".:") for t in plain.replace(";", " ").replace(",", " ").split()]
            # Most fields are codes and nothing else: nothing to split, correct or join.
            if not TAG_CODES.issuperset(items) or "OVIP" in items:
                items = []
                for chunk in plain.replace(";", ",").split(","):
                    words = [t.strip(".:") for t in chunk.split()]
                    items += (
                        words if TAG_CODES.issuperset(words) and "OVIP" not in words else _tag_words(words)
                    )
        for tag in items:
            if tag and tag not in tags and tag != "SIPDIS":
                tags.append(tag)
    return tags


def _tag_words(words: list[str]) -> list[str]:
    """The tags of words written between commas (see parse_tags)."""
    out: list[str] = []
    phrase: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        i += 1
        if not w or w == "TAGS":  # a second "TAGS:" label run onto the field
            continue
        if w in TAG_CODES or not w.isalpha():
            pieces = [w]
        else:
            pieces = _split_codes(w) or [_CODE_TYPOS.get(w, "")]
            if not pieces[0]:
                phrase.append(w)  # not a code: part of a keyword written in words
                continue
        if phrase:
            out.append(" ".join(phrase))
            phrase = []
        out += pieces
        if (
            w == "OVIP"
            and i + 1 < len(words)
            and words[i].isalpha()
            and words[i + 1].isalpha()
            and words[i + 1] not in TAG_CODES
        ):
            out.append(f"{words[i]}, {words[i + 1]}")  # OVIP SURNAME GIVEN-NAME
            i += 2
    if phrase:
        out.append(" ".join(phrase))
    return out


def _split_codes(word: str) -> list[str] | None:
    """A word of six letters or more that is tag codes run together, one of them of four letters or
    more, in the fewest codes (`PHUMBA` -> PHUM, BA); None when it is not."""
    if len(word) < 6:
        return None
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for end in range(2, len(word) + 1):
        for start in range(max(0, end - 6), end - 1):
            head, piece = best[start], word[start:end]
            if head is not None and piece in TAG_CODES and piece != word:
                if best[end] is None or len(head) + 1 < len(best[end]):  # type: ignore[arg-type]
                    best[end] = [*head, piece]
    found = best[-1]
    return found if found and any(len(p) >= 4 for p in found) else None


# A code of four letters or more typed with one letter too many -> the code (only where one code fits).
_CODE_TYPOS: dict[str, str] = {}


for _code in sorted(TAG_CODES):
    if len(_code) >= 4:
        for _i in range(len(_code) + 1):
            for _c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
                _typo = _code[:_i] + _c + _code[_i:]
                if _typo not in TAG_CODES:
                    _CODE_TYPOS[_typo] = "" if _CODE_TYPOS.get(_typo, _code) != _code else _code


_CODE_TYPOS = {k: v for k, v in _CODE_TYPOS.items() if v}


del _code, _i, _c, _typo


# A page header of an old cable run onto the TAGS line: wide spaces, a classification, PAGE nn.
_TAGS_PAGE_BREAK_RE = re.compile(
    r"(?:^|\s)(?:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)\s+PAGE\s+\d"
)
_TAG_PART_RE = re.compile(r"\(([^()]*)\)|([^()]+)")


def clean_subject(text: str) -> str:
    """A subject as one line: spaces collapsed, a word broken at its hyphen joined (`US- LATIN`),
    HTML character references decoded, a trailing rule of dashes dropped."""
    text = " ".join(text.split())
    if "- " in text:
        text = _HYPHEN_BREAK_RE.sub("-", text)
    if "&" in text:
        text = html.unescape(text)
    if text and text[-1] in "-=_":
        text = _TRAILING_RULE_RE.sub("", text)
    return text


_HYPHEN_BREAK_RE = re.compile(r"(?<=[A-Za-z])- (?=[A-Za-z])")
_TRAILING_RULE_RE = re.compile(r"\s*[-=_]{3,}$")


def _is_closing_residue(text: str) -> bool:
    if len(text) > 100:
        return not any(ch.isalnum() for ch in text)
    if not text.isupper() and any(ch.isalnum() for ch in text):
        # Lower case: only the release stamp and a metadata line are residue.
        return text.startswith(("Declassified/Released", "Note")) or " - Classification:" in text
    upper = " ".join(text.upper().split())
    if not any(ch.isalnum() for ch in upper):
        return True
    return (
        upper.rstrip(" .") in _CLOSING_WORDS
        or upper.startswith(("DECLASSIFIED/RELEASED", "NNNN", "NOTE BY OC/T", "NOTE: NOT PASSED", ">"))
        or _GP_RE.fullmatch(upper) is not None
        or " - CLASSIFICATION:" in upper
        or _PUBLISHED_ID_RE.match(upper) is not None
        or (_banner_level(upper)[0] is not None and len(upper) < 40)
    )


# The publisher's line after the cable: "2004CARACA01540 - UNCLASSIFIED".
_PUBLISHED_ID_RE = re.compile(r"\d{4}[A-Z]{3,}\d{3,} - [A-Z ]+$")
_GP_RE = re.compile(r"GP-\d")  # the declassification group of an old cable
_CLOSING_WORDS = frozenset(
    {"CONFIDENTIAL", "SECRET", "UNCLASSIFIED", "UNCLAS", "TOP SECRET", "LIMITED OFFICIAL USE"}
)


def signers_of(signature: str) -> list[str]:
    """Each name of a signature block: `FITZMAURICE/BUCKLEY` -> ["FITZMAURICE", "BUCKLEY"]."""
    names = [n.strip(" .,#") for n in _SIGNERS_SPLIT_RE.split(signature)]
    return [n for n in names if n]


_SIGNERS_SPLIT_RE = re.compile(r"\s*/\s*|\s+AND\s+|\s*;\s*|\s*&\s*")


def _is_signature(text: str) -> bool:
    text = text.strip().rstrip("#")
    if not text or len(text) > 40 or text != text.upper() or text[-1] in ",;:":
        return False
    return bool(_SIGNATURE_RE.match(text)) and len(text.split()) <= 4
