"""Read heuer/cablemap's reader tests as data (ast only, nothing executed) -> our case table (JSON)."""

import ast
import html as _html
import json
import os
import re
import sys
from pathlib import Path

SRC = Path(sys.argv[1])
ID_RE = re.compile(r"#\s*(\d{2,4}[A-Z][A-Z]+\d+)\b")


def load(name):
    text = (SRC / name).read_text(encoding="utf-8")
    text = re.sub(r"\bur(['\"])", r"r\1", text)
    return text, ast.parse(text)


class Ref:
    def __init__(self, kind):
        self.kind = kind


def ev(node):
    if isinstance(node, ast.Call):
        kind = node.func.id
        args = [ev(a) for a in node.args]
        return {"kind": kind, "value": args[0], "label": args[1] if len(args) > 1 else None}
    if isinstance(node, (ast.Tuple, ast.List)):
        return [ev(e) for e in node.elts]
    return ast.literal_eval(node)


def tables(name):
    text, tree = load(name)
    lines = text.splitlines()
    out = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id.startswith("_T")
        ):
            val = node.value
            rows = []
            if isinstance(val, ast.Dict):
                for k, v in zip(val.keys, val.values, strict=True):
                    rows.append((ast.literal_eval(k), ev(v)))
            else:
                prev_end = val.lineno
                for e in val.elts:
                    comment_id = None
                    for ln in lines[prev_end - 1 : e.lineno - 1] + [lines[e.lineno - 1]]:
                        if m := ID_RE.search(ln):
                            comment_id = m.group(1)
                    rows.append((comment_id, ev(e)))
                    prev_end = e.end_lineno
            out[node.targets[0].id] = rows
    return out


def html_text(page):
    pres = re.findall(r"<pre[^>]*>(.*?)</pre>", page, re.S)
    return _html.unescape(re.sub(r"<[^>]+>", "", "\n".join(pres)))


cases = []


def add(kind, source, cable_id, expected, text=None, year=None, **extra):
    cases.append(
        {
            "kind": kind,
            "source": source,
            "cable_id": cable_id,
            "year": year,
            "text": text,
            "expected": expected,
            **extra,
        }
    )


t = tables("test_reader_references.py")
for cid, row in t["_TEST_DATA"]:
    if len(row) == 4:
        content, year, rid, exp = row
        cid = rid
    else:
        content, year, exp = row
    add("references", "test_reader_references.py", cid, exp, content, year)
for rid, row in t["_TRIPOLI_TESTS"]:
    content, year, exp = row
    add("references", "test_reader_references.py", rid, exp, content, year)
t = tables("test_reader_references_ng.py")
for cid, (content, year, exp) in t["_TEST_DATA"]:
    add("references_ng", "test_reader_references_ng.py", cid, exp, content, year)
t = tables("test_reference_oddities.py")
for _, (cid, exp) in t["_TEST_DATA"]:
    add("references", "test_reference_oddities.py", cid, exp)
add(
    "references",
    "test_issue25.py",
    "09NAIROBI1938",
    ["08STATE81854", "09NAIROBI1830", "09NAIROBI1859", "09NAIROBI1831"],
)
t = tables("test_reader_subject.py")
for cid, row in t["_TEST_DATA"]:
    if len(row) == 3:
        content, clean, exp = row
    else:
        (content, exp), clean = row, True
    add("subject", "test_reader_subject.py", cid, exp, content, clean=clean)
for f in sorted(os.listdir(SRC / "ds" / "in")):
    cid = f[:-5]
    exp = (SRC / "ds" / "out" / (cid + ".txt")).read_text(encoding="utf-8").strip()
    add("subject", "data-subject", cid, exp, html_text((SRC / "ds" / "in" / f).read_text(encoding="utf-8")))
for name in ("test_difficult_subjects.py", "test_issue14.py", "test_issue15.py"):
    t = tables(name)
    for rows in t.values():
        for _, row in rows:
            if isinstance(row, str):
                add("subject", name, row, "")
            else:
                add("subject", name, row[0], row[1])
t = tables("test_reader_tags.py")
for cid, (content, exp) in t["_TEST_DATA"]:
    add("tags", "test_reader_tags.py", cid, exp, content)
for cid, (content, exp) in t["_TEST_DATA_NO_C14N"]:
    add("tags", "test_reader_tags.py", cid, exp, content, c14n=False)
for _, (cid, exp) in t["_TEST_DATA_BY_ID"]:
    add("tags", "test_reader_tags.py", cid, exp)
t = tables("test_reader_classified_by.py")
for _, row in t["_TEST_DATA"]:
    cid, exp, content = row[:3]
    add(
        "classified_by",
        "test_reader_classified_by.py",
        cid,
        exp if isinstance(exp, list) else [exp],
        content,
        normalize=row[3] if len(row) > 3 else False,
    )
for _, (cid, exp) in t["_TEST_CABLES"]:
    add("classified_by", "test_reader_classified_by.py", cid, exp if isinstance(exp, list) else [exp])
t = tables("test_reader_signers.py")
for cid, row in t["_TEST_DATA"]:
    exp, content = row[0], row[1]
    add(
        "signers",
        "test_reader_signers.py",
        cid,
        exp if isinstance(exp, list) else [exp],
        content,
        c14n=row[2] if len(row) > 2 else True,
    )
for _, (exp, cid, c14n) in t["_TEST_CABLES"]:
    add("signers", "test_reader_signers.py", cid, exp if isinstance(exp, list) else [exp], c14n=c14n)
add("signers", "test_00HARARE2297.py", "00HARARE2297", ["MCDONALD"])
for cid, tid in (
    ("08MANAMA492", "VZCZCXRO5008"),
    ("08ECTION01OF02MANAMA492", "VZCZCXRO4772"),
    ("08SAOPAULO335", "VZCZCXRO3989"),
    ("08SCTION02OF02SAOPAULO335", "VZCZCXRO3727"),
):
    add("transmission_id", "test_issue12.py", cid, tid)
json.dump(cases, sys.stdout, indent=1, ensure_ascii=False)
