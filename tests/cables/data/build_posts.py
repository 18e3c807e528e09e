"""Print the post table of cables/parser/references.py (`_POSTS`) as derived from the bulk corpus.

    .venv/bin/python tests/cables/data/build_posts.py [path/to/cables.jsonl.gz]

The posts are those of the corpus's reference ids, plus every post its FM/TO/INFO lines address at
least twice (AMEMBASSY, AMCONSUL, USMISSION, USINT and AIT addresses, and the agencies that send
cables, `SECDEF WASHDC`), without the spaces. Review the output before pasting it: it also holds a
few garbled addresses (LAPAZAPR...) and agencies that never number cables, which are left out.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from cables.corpus import corpus_dir, iter_bulk  # noqa: E402
from cables.parser import parse_cable  # noqa: E402

_ID_RE = re.compile(r"\d\d([A-Z]+?)\d+$")
_OFFICE_RE = re.compile(r"(AMEMBASSY|AMCONSUL|AMCONGEN|USMISSION|USINT|AIT|USOFFICE|USLO|AMEMB)\s+(.+)$")
_AGENCY_RE = re.compile(r"([A-Z]{3,8})\s+(?:WASHDC|WASHINGTON DC)$")


def main() -> None:
    root = corpus_dir()
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "bulk" / "cables.jsonl.gz"
    posts: set[str] = set()
    addressed: Counter[str] = Counter()
    for record in iter_bulk(path):
        ref_id = str(record["reference_id"])
        if (m := _ID_RE.match(ref_id)) and "CTION" not in ref_id:
            posts.add(m.group(1))
        cable = parse_cable(str(record["text"]))
        for address in [*cable.to, *cable.info, cable.origin]:
            address = address.rstrip("\\ ").strip()
            if m := _OFFICE_RE.match(address):
                name = re.sub(r"\s+(IMMEDIATE|PRIORITY|ROUTINE|FLASH|NIACT).*$", "", m.group(2))
                name = re.sub(r"\s+\d+$", "", name)
                addressed[("AIT" if m.group(1) == "AIT" else "") + name.replace(" ", "")] += 1
            elif m := _AGENCY_RE.match(address):
                addressed[m.group(1)] += 1
    posts |= {name for name, n in addressed.items() if n >= 2 and re.fullmatch(r"[A-Z]{3,20}", name)}
    print(" ".join(sorted(posts)))


if __name__ == "__main__":
    main()
