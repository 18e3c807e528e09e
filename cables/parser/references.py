"""REF fields to references: `parse_references(text, year)` splits a REF field into its items and
gives each citation of a cable its reference id (`cable_reference_id`), against the post table
`_POSTS` (printed from the corpus by tests/cables/data/build_posts.py) and its short forms.

Contract: a pure function of the field's text and the citing cable's two-digit year; items in the
order written; anything that is not a cable keeps its text and gets no id."""

from __future__ import annotations

import re

from cables.parser.model import Reference


def cable_reference_id(cite: str, default_year: str) -> str:
    """`ANKARA 4240` (in a 2003 cable) -> "03ANKARA4240"; "" when `cite` is not a cable citation."""
    for ref in parse_references(cite, default_year):
        return ref.reference_id
    return ""


def parse_references(text: str, year: str) -> list[Reference]:
    """The items of a REF field, in the order written; `year` (two digits) is the citing cable's.

    `A. LIMA 1841 B. 06 ASUNCION 348` -> [Reference("A", "LIMA 1841", "<year>LIMA1841"),
    Reference("B", "06 ASUNCION 348", "06ASUNCION348")]. Letters may be written `A.`, `A)`, `(A)`, `[A]`
    or doubled (`A. A)`); items without letters are split at `;`. One item may cite several cables
    (`BRASILIA 2799 AND 2764`, `HANOI 60 (TITLE) HANOI 330 (TITLE)`): each becomes a reference with the
    same letter. A citation is a post name (from the posts the corpus knows, their usual short forms,
    or one letter away from one: `SAN JSE`) and a serial number, with an optional year before it
    (`06`, `2007`) or after the post (`STATE (01) 201265`); without one the citing cable's year is
    taken. Anything else (e-mails, telcons, reports) is kept with its text and no reference id.
    """
    text = " ".join(text.split())
    out: list[Reference] = []
    for label, item in _ref_items(text):
        chunks = item.split(";") if ";" in item else [item]
        for chunk in chunks:
            chunk = chunk.strip(" ,.")
            if not chunk:
                continue
            cites = _citations(chunk, year)
            if not cites and (m := _SERIAL_FIRST_RE.fullmatch(chunk)):
                # "870 ULAANBAATAR": the serial written before the post.
                cites = [(0, ref_id) for _, ref_id in _citations(f"{m.group(2)} {m.group(1)}", year)]
            if not cites:
                out.append(Reference(label, chunk, ""))
                continue
            for k, (start, ref_id) in enumerate(cites):
                begin = 0 if k == 0 else start
                end = cites[k + 1][0] if k + 1 < len(cites) else len(chunk)
                cited = chunk[begin:end].strip(" ,;")
                if cited.upper().endswith(" AND"):
                    cited = cited[:-4]
                out.append(Reference(label, cited, ref_id))
    return out


_LABEL_RE = re.compile(
    r"(?<![^\s;,.])(?:\(([A-Z])\)|\[([A-Z])\]|([A-Z])[.):]|([A-Z]) -(?= ))(?=[\s(\[A-Z0-9]|$)"
)  # A. A) (A) [A] A: and "A - Kabul 28"
_INNER_LABEL_RE = re.compile(r"\s*(?:REF\s*:?\s*(?:[A-Z](?:[.)]|\s))?|\(?[A-Z][.)])\s*")
# (Each starts with its character and looks behind it from there: the engine then skips straight
# to the places that character stands, instead of trying the lookbehind at every position.)
_ZERO_FOR_O_RE = re.compile(r"0(?:(?<=[A-Z]0)(?=[A-Z]|\s[0-9])|(?<=\b0)(?=[A-Z]{3}))")  # SANTIAG0, 0TTAWA
_O_FOR_ZERO_RE = re.compile(r"O(?<![A-Z]O)(?=\d\s)")  # (B)O4 CHENNAI: the letter O typed for a zero
_MARK_IN_CITE_RE = re.compile(r"(?<=[A-Z] )\((?:U|C|S|SBU)\)(?=\s?\d)")
_SERIAL_FIRST_RE = re.compile(r"(?!(?:19|20)\d\d )(\d{3,7}) ([A-Za-z][A-Za-z .']{2,30})")
_CITE_TOKEN_RE = re.compile(r"[A-Z][A-Z'-]*|\d+|\S")


def _digits(token: str) -> bool:
    """Whether the token is a number as cables write one: ASCII digits only (str.isdigit would also
    take "²" and "٣", which a serial number never holds and int() may refuse)."""
    return token.isascii() and token.isdigit()


def _ref_items(text: str) -> list[tuple[str, str]]:
    """(letter, text) of each lettered item; ("", text) for the text before the first letter."""
    upper = text.upper()
    marks: list[tuple[int, int, str]] = []
    last = ""
    # Re-cased text (`Ref: a. 05 state 201650 b. 05 berlin 3726`) writes its letters in lower case.
    lower_letters = text[:2] == "a." or text[:3] in ("a) ", "(a)")
    for m in _LABEL_RE.finditer(upper):
        letter = m.group(1) or m.group(2) or m.group(3) or m.group(4)
        if text[m.start()].islower() and not lower_letters:
            continue
        # Letters run in order (A, B, C; repeated or one skipped at most): an initial is not a letter.
        if not last and letter != "A":
            continue
        if last and not (0 <= ord(letter) - ord(last) <= 2):
            continue
        if marks and letter == last and m.start() <= marks[-1][1] + 1:
            marks[-1] = (marks[-1][0], m.end(), letter)  # "A. A)": one letter written twice
            continue
        marks.append((m.start(), m.end(), letter))
        last = letter
    items: list[tuple[str, str]] = []
    head = text[: marks[0][0]] if marks else text
    if head.strip(" ,;:.") and not (marks and head.strip(" ,;:.").upper() in ("REF", "REFS", "REFTEL")):
        items.append(("", head))
    for k, (_, end, letter) in enumerate(marks):
        stop = marks[k + 1][0] if k + 1 < len(marks) else len(text)
        body = text[end:stop]
        # "A. REF A STATE 122214", "A. REF: KATHMANDU 2282": the letter repeated inside the item.
        if (inner := _INNER_LABEL_RE.match(body.upper())) and inner.end() and body[: inner.end()].strip():
            head_word = body[: inner.end()].strip().upper()
            if head_word.startswith("REF") or head_word.strip("().") == letter:
                body = body[inner.end() :]
        items.append((letter, body))
    return items


def _citations(chunk: str, year: str) -> list[tuple[int, str]]:
    """(offset in `chunk`, reference id) of each cable the chunk cites."""
    upper = chunk.upper()
    if "0" in upper:  # SANTIAG0 465, COTON0U: a zero typed for the letter O (same length)
        upper = _ZERO_FOR_O_RE.sub("O", upper)
    if "O" in upper:
        upper = _O_FOR_ZERO_RE.sub("0", upper)
    if "(" in upper:  # KUWAIT (C)02293: a portion mark between the post and the serial
        upper = _MARK_IN_CITE_RE.sub(lambda m: " " * len(m.group()), upper)
    tokens = [(m.start(), m[0]) for m in _CITE_TOKEN_RE.finditer(upper)]
    found: list[tuple[int, str]] = []
    last_post = ""
    last_year = ""
    for k, (_, tok) in enumerate(tokens):
        if not _digits(tok) or len(tok) > 7:
            continue
        nxt = tokens[k + 1][1] if k + 1 < len(tokens) else ""
        if nxt and (
            (nxt[0].isalpha() and tokens[k + 1][0] == tokens[k][0] + len(tok))
            or (nxt == ":" and k + 2 < len(tokens) and _digits(tokens[k + 2][1]))
            or (nxt == "/" and len(tok) <= 2)
        ):
            continue  # 301601Z, 05/11/07, 10:30 (but KABUL 936/935 cites two cables)
        if nxt == "." and k + 2 < len(tokens) and _digits(tokens[k + 2][1]):
            continue  # 1.4, 001.2
        j = k - 1
        cite_year = ""
        if j >= 2 and tokens[j][1] == ")" and len(tokens[j - 1][1]) == 2 and _digits(tokens[j - 1][1]):
            if tokens[j - 2][1] == "(":
                cite_year = tokens[j - 1][1]  # STATE (01) 201265
                j -= 3
        if j >= 0 and tokens[j][1] in ("#", "NO", "NR", ":"):
            j -= 1  # STATE NO. 1234, STATE: 73097
        post, first = _post_before(tokens, j)
        if not post:
            # "BRASILIA 2799 AND 2764", "STATE 188314, 259032": more serials of the post before.
            is_year = (
                len(tok) == 4 and tok[:2] in ("19", "20") or nxt[:1].isalpha() and nxt not in ("AND", "OR")
            )
            after_slash = tokens[j][1] == "/" if j >= 0 else False
            if after_slash and len(tok) <= 2:
                continue  # PANAMA 00789/08: the year, written after the serial
            if (
                last_post
                and j >= 0
                and tokens[j][1] in ("AND", ",", "&", "/")
                and found
                and not is_year
                and int(tok)
            ):
                found.append((tokens[k][0], f"{last_year}{last_post}{int(tok)}"))
            continue
        if not cite_year and first > 0 and _digits(y := tokens[first - 1][1]):
            if len(y) == 2 or (len(y) == 4 and y[:2] in ("19", "20")):
                cite_year = y[-2:]
                first -= 1
        elif not cite_year and first > 2 and tokens[first - 1][1] == ")" and tokens[first - 3][1] == "(":
            if len(y := tokens[first - 2][1]) == 2 and _digits(y):
                cite_year = y  # (99) ROME 2196
        if not cite_year and k + 2 < len(tokens) and len(y := tokens[k + 2][1]) == 2 and _digits(y):
            after = tokens[k + 3][1] if k + 3 < len(tokens) else ""
            if (
                tokens[k + 1][1] == "-"
                and tokens[k + 2][0] == tokens[k + 1][0] + 1
                and after in ("", ",", ";")
            ):
                cite_year = y  # QUITO 4525-91
        if (
            not cite_year
            and nxt == "/"
            and k + 2 < len(tokens)
            and len(y := tokens[k + 2][1]) == 2
            and _digits(y)
        ):
            cite_year = y  # PANAMA 00789/08
        if (
            not cite_year
            and _digits(nxt)
            and len(nxt) == 2
            and (k + 2 >= len(tokens) or tokens[k + 2][1] in ",;")
        ):
            cite_year = nxt  # AMMAN 07718 99,
        if (
            not cite_year
            and k + 3 < len(tokens)
            and tokens[k + 1][1] == "("
            and len(tokens[k + 2][1]) == 2
            and _digits(tokens[k + 2][1])
            and tokens[k + 3][1] == ")"
        ):
            cite_year = tokens[k + 2][1]  # ASUNCION 701 (08)
        cite_year = cite_year or year
        if not cite_year:
            continue
        found.append((tokens[first][0], f"{cite_year}{post}{int(tok)}"))
        last_post, last_year = post, cite_year
    return found


def _post_before(tokens: list[tuple[int, str]], j: int) -> tuple[str, int]:
    """The post named by the words ending at token `j` (longest match first), and its first token."""
    words: list[str] = []
    at: list[int] = []
    while j >= 0 and len(words) < 4 and (tokens[j][1][0].isalpha() or tokens[j][1] == "." and words):
        if tokens[j][1] != ".":  # ST. PETERSBURG
            words.insert(0, tokens[j][1].replace("'", "").replace("-", ""))
            at.insert(0, j)
        j -= 1
    names = ["".join(words[-n:]) for n in range(len(words), 0, -1)]
    # Exact names and short forms first (longest first), then names one letter away.
    for k, name in enumerate(names):
        if post := (name if name in _POSTS else _POST_ALIASES.get(name)):
            return post, at[k]
    for k, name in enumerate(names):
        if post := _post_typo(name, len(words) - k):
            return post, at[k]
    return "", -1


def _post_typo(name: str, words: int) -> str:
    """The post `name` is one letter away from (a letter dropped, added or mistyped), or ""."""
    if len(name) < 6 or words > 3 or name in _NOT_POSTS:
        return ""
    # One letter dropped, added or mistyped: SANJSE, ISTANBUUL, QRIPOLI.
    if hit := _POST_DELETES.get(name):
        return hit
    for i in range(len(name)):
        shorter = name[:i] + name[i + 1 :]
        if hit := (
            shorter if shorter in _POSTS else _POST_ALIASES.get(shorter) or _POST_DELETES.get(shorter)
        ):
            return hit  # SECTSTATE: a letter added to a short form
    return ""


# The posts whose cables the corpus holds or addresses (reference ids, FM/TO/INFO lines), as they are
# written in reference ids. Printed by tests/cables/data/build_posts.py; test_parser checks it still
# covers the post of every reference id of the bulk corpus.
_POSTS = frozenset(
    (
        "ABIDJAN ABUDHABI ABUJA ACCRA ADANA ADDISABABA AITTAIPEI ALGIERS ALMATY AMMAN AMSTERDAM "
        "ANKARA ANTANANARIVO APIA ASHGABAT ASMARA ASTANA ASUNCION ATHENS BAGHDAD BAKU BAMAKO "
        "BANDARSERIBEGAWAN BANGKOK BANJUL BARCELONA BASRAH BEIJING BEIRUT BELFAST BELGRADE BELIZE "
        "BELMOPAN BERLIN BERN BISHKEK BOGOTA BONN BRASILIA BRATISLAVA BRIDGETOWN BRUSSELS BUCHAREST "
        "BUDAPEST BUENOSAIRES BUJUMBURA CAIRO CALCUTTA CALGARY CANBERRA CAPETOWN CARACAS CASABLANCA "
        "CHENGDU CHENNAI CHIANGMAI CHISINAU CIUDADJUAREZ CJCS COLOMBO CONAKRY COPENHAGEN COTONOU "
        "CURACAO DAKAR DAMASCUS DARESSALAAM DHAHRAN DHAKA DJIBOUTI DOHA DUBAI DUBLIN DURBAN DUSHANBE "
        "DUSSELDORF EDINBURGH EFTOLONDON EFTOTRIPOLI FLORENCE FRANKFURT FREETOWN FUKUOKA GABORONE "
        "GENEVA GEORGETOWN GUADALAJARA GUANGZHOU GUATEMALA GUAYAQUIL HAMBURG HAMILTON HANOI HARARE "
        "HAVANA HELSINKI HERMOSILLO HOCHIMINHCITY HONGKONG HYDERABAD IRANRPODUBAI ISLAMABAD ISTANBUL "
        "JAKARTA JCS JEDDAH JERUSALEM JOHANNESBURG KABUL KAMPALA KARACHI KATHMANDU KHARTOUM KIEV "
        "KIGALI KINGSTON KINSHASA KOLKATA KUALALUMPUR KUWAIT KYIV LAGOS LAHORE LAPAZ LIBREVILLE "
        "LILONGWE LIMA LISBON LJUBLJANA LOME LONDON LUANDA LUSAKA LUXEMBOURG MADRID MANAGUA MANAMA "
        "MANILA MAPUTO MARSEILLE MASERU MATAMOROS MBABANE MELBOURNE MERIDA MEXICO MILAN MINSK "
        "MONROVIA MONTERREY MONTEVIDEO MONTREAL MOSCOW MUMBAI MUNICH MUSCAT NAGOYA NAHA NAIROBI "
        "NAPLES NASSAU NDJAMENA NEWDELHI NIAMEY NICOSIA NOGALES NOUAKCHOTT NUEVOLAREDO OSAKAKOBE OSLO "
        "OTTAWA OUAGADOUGOU PANAMA PARAMARIBO PARIS PARTO PERTH PESHAWAR PHNOMPENH PODGORICA "
        "PORTAUPRINCE PORTLOUIS PORTMORESBY PORTOFSPAIN PRAGUE PRAIA PRETORIA PRISTINA QUEBEC QUITO "
        "RABAT RANGOON RECIFE REYKJAVIK RIGA RIODEJANEIRO RIYADH ROME RPODUBAI SANAA SANJOSE "
        "SANSALVADOR SANTIAGO SANTODOMINGO SAOPAULO SAPPORO SARAJEVO SECDEF SECNAV SEOUL SHANGHAI "
        "SHENYANG SINGAPORE SKOPJE SOFIA STATE STOCKHOLM STPETERSBURG STRASBOURG SUVA SYDNEY TAIPEI "
        "TALLINN TASHKENT TBILISI TEGUCIGALPA TEHRAN TELAVIV THEHAGUE TIJUANA TIRANA TOKYO TORONTO "
        "TREASURY TRIPOLI TUNIS ULAANBAATAR UNROME UNVIEVIENNA USAID USAUADDISABABA USDA USDOC USDOE "
        "USDOJ USDOT USEUBRUSSELS USNATO USOSCE USUNNEWYORK VALLETTA VATICAN VIENNA VILNIUS "
        "VLADIVOSTOK WARSAW WELLINGTON WINDHOEK YAOUNDE YEKATERINBURG YEREVAN ZAGREB "
    ).split()
)
# Short and older forms used in REF lines.
_POST_ALIASES = {
    "SECSTATE": "STATE",
    "SECSTATEWASHDC": "STATE",
    "STATEDEPT": "STATE",
    "DEPT": "STATE",
    "DEPTOFSTATE": "STATE",
    "USUN": "USUNNEWYORK",
    "USUNNY": "USUNNEWYORK",
    "USUNNEWYORKNY": "USUNNEWYORK",
    "USEU": "USEUBRUSSELS",
    "USNATOBRUSSELS": "USNATO",
    "UNVIE": "UNVIEVIENNA",
    "USOSCEVIENNA": "USOSCE",
    "HK": "HONGKONG",
    "HCMC": "HOCHIMINHCITY",
    "HOCHIMINH": "HOCHIMINHCITY",
    "RIODEJAN": "RIODEJANEIRO",
    "RIODEJ": "RIODEJANEIRO",
    "RIO": "RIODEJANEIRO",
    "SAOPAOLO": "SAOPAULO",
    "ADDIS": "ADDISABABA",
    "PORTOFPRINCE": "PORTAUPRINCE",
    "PORTA": "PORTAUPRINCE",
    "KUALA": "KUALALUMPUR",
    "DAR": "DARESSALAAM",
    "TAIPEI": "TAIPEI",
    "AIT": "AITTAIPEI",
    "UNESCOPARIS": "UNESCOPARISFR",
    "UNESCOPARISFR": "UNESCOPARISFR",
    "USUNESCOPARISFR": "UNESCOPARISFR",
    "USUNESCO": "UNESCOPARISFR",
    "PARISFR": "UNESCOPARISFR",  # the UNESCO mission (RUEHFR/UNESCO PARIS FR); the embassy is PARIS
    "MEXICOCITY": "MEXICO",
    "HAGUE": "THEHAGUE",
    "CASA": "CASABLANCA",
    "KL": "KUALALUMPUR",
    "KUALALUMP": "KUALALUMPUR",
    "DELHI": "NEWDELHI",
    "BA": "BUENOSAIRES",
    "TGG": "TEGUCIGALPA",
    "VAT": "VATICAN",
    "DUBAIRPO": "RPODUBAI",
    "BASRA": "BASRAH",
    "BRAZZAVILLE": "BRAZZAVILLE",
}
_POST_DELETES = {
    p[:i] + p[i + 1 :]: p for p in sorted(_POSTS, reverse=True) if len(p) >= 6 for i in range(len(p))
}
_NOT_POSTS = frozenset({"TELCON", "EMAIL", "MEMCON", "LETTER", "REFTEL", "SECTION", "ARTICLE", "PARAGRAPH"})
