"""A request case walked in the system Chromium (issue 17, done-when 2): a supervisor creates the
case, finds and attaches three corpus cables and assigns them in one step; the reviewer decides
them on the review page, one with a referral to DOD; the consultation package goes out and DOD's
answer comes back as a file; the supervisor approves, the releaser releases, and the Vaughn index
(CSV and PDF) and the response letter are downloaded: each passes the leak check and names every
withheld portion's location and codes.

Pages run without JavaScript (the no-script path every page supports); the mosaic findings of
the reviews are acknowledged through review.actions (tests/review/conftest.py), as the guide asks
of any test that submits.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from accounts.roles import RELEASER, REVIEWER, SUPERVISOR
from cables import export
from cables.corpus import corpus_dir
from cables.ingest import ingest_cable
from cases.models import Case, Consultation
from review.models import Review
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import make_user
from tests.review.conftest import acknowledge_mosaic

CABLES = ["seed/07TOKYO1744.txt", "cables/06CARACAS958.txt", "cables/06LIMA622.txt"]
SHOTS = SCREENSHOTS / "case-walk"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def ingest() -> list[Any]:
    corpus = corpus_dir()
    if corpus is None or not all((corpus / name).is_file() for name in CABLES):
        pytest.skip("the corpus cables are missing (set DECLASS_CORPUS)")
    return [ingest_cable((corpus / name).read_text(encoding="utf-8"), source=name) for name in CABLES]


def download(page: Any, link: str, tmp: Path) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link).click()
    target = tmp / info.value.suggested_filename
    info.value.save_as(target)
    return target.read_bytes()


def decide(page: Any, order: int, kind: str, codes: list[str], justification: str, agency: str = "") -> None:
    portion = page.locator(f"#portion-{order}")
    portion.locator("summary", has_text="Withhold, excise or refer").click()
    form = portion.locator("form[data-full]")
    form.locator(f'input[name="kind"][value="{kind}"]').check()
    for code in codes:
        form.locator(f'input[name="codes"][value="{code}"]').check()
    page.locator(f"#p{order}-justification").fill(justification)
    if agency:
        page.locator(f"#p{order}-agency").fill(agency)
    form.locator("button[type=submit]").click()


def first_paragraph(cable: Any) -> int:
    return cable.portions.filter(kind="paragraph").order_by("order").first().order


def test_a_case_walks_from_request_to_vaughn_index(
    transactional_db: None, live_server: Any, open_page: Any, tmp_path: Path
) -> None:
    cables = ingest()
    sue = make_user("sue", SUPERVISOR)
    rita = make_user("rita", REVIEWER)
    rex = make_user("rex", RELEASER)

    # -- the supervisor: the case, three cables attached from searches, assigned in one step ----
    page = open_page(sue, "/cases/new/", javascript=False)
    page.get_by_label("Kind", exact=True).select_option("F")
    page.get_by_label("Track", exact=True).select_option("complex")
    page.get_by_label("Request", exact=True).fill(
        "Cables on Japan's defence cooperation and on trade talks, 2003-2007."
    )
    page.get_by_label("Received", exact=True).fill(date.today().isoformat())
    page.get_by_label("Requester's name").fill("Jane Doe")
    page.get_by_role("button", name="Open case").click()
    case = Case.objects.get()
    page.wait_for_url(f"**/cases/{case.pk}/")
    assert case.number in page.locator("h1").text_content()
    for cable in cables:
        page.get_by_label("Find cables to attach").fill(cable.reference_id)
        page.get_by_role("button", name="Find").click()
        page.get_by_role("button", name=f"Attach {cable.reference_id}").click()
        page.locator(".messages", has_text=f"Attached {cable.reference_id}").wait_for()
    assert case.documents.count() == 3
    page.get_by_label("Reviewer (clearance, open reviews)").select_option(str(rita.pk))
    page.get_by_role("button", name="Assign the case's documents").click()
    page.locator(".messages", has_text="Assigned 3 cables to rita").wait_for()
    shot(page, "01-case-assigned")
    reviews = {d.cable.reference_id: d.review for d in case.documents.select_related("review", "cable")}
    assert all(r.reviewer == rita and r.request_case == case.number for r in reviews.values())

    # -- the reviewer: a referral to DOD on the seed, a withheld paragraph on each of the others --
    seed, *others = cables
    referred = first_paragraph(seed)
    withheld = {c.reference_id: first_paragraph(c) for c in others}
    for cable in cables:
        review = reviews[cable.reference_id]
        page = open_page(rita, f"/reviews/{review.pk}/", javascript=False)
        page.get_by_role("button", name="Start review").click()
        page.locator(".messages", has_text="Review started").wait_for()
        if cable is seed:
            decide(page, referred, "refer", ["1.4(b)"], "foreign government information held by DOD", "DOD")
        else:
            decide(page, withheld[cable.reference_id], "withhold", ["B1", "1.4(d)"], "would damage relations")
        page.locator(".decision-label", has_text="REFERRED" if cable is seed else "WITHHELD").first.wait_for()
        page.locator("form.release-rest button").click()  # "Release the N undecided portions in full"
        page.locator("#progress").wait_for()
        assert not review.undecided_portions().exists()
        review.refresh_from_db()
        if cable is seed:
            page.get_by_role("button", name="Refer to the agency").click()
            page.locator(".messages").first.wait_for()
            review.refresh_from_db()
            assert review.state == Review.State.REFERRED
        else:
            acknowledge_mosaic(review, rita)
            page.reload()
            page.get_by_role("button", name="Submit for approval").click()
            page.locator(".messages").first.wait_for()
            review.refresh_from_db()
            assert review.state == Review.State.PENDING_APPROVAL, page.locator(".messages").text_content()

    # -- the consultation: out to DOD, its answer in from a file ------------------------------
    page = open_page(sue, f"/cases/{case.pk}/", javascript=False)
    page.get_by_label("Send the portions referred to").select_option("DOD")
    page.get_by_role("button", name="Send consultation").click()
    page.locator(".messages", has_text="Sent 1 referred portion(s) to DOD").wait_for()
    consultation = Consultation.objects.get()
    page.get_by_role("link", name="DOD").click()
    package = json.loads(download(page, "JSON (machine-readable)", tmp_path))
    pdf = export.extract("pdf", download(page, "PDF (portions in context)", tmp_path))
    (item,) = package["items"]
    assert f">> ITEM {item['item']}" in pdf and item["reference_id"] == seed.reference_id
    answer = tmp_path / "dod-answer.csv"
    answer.write_text(
        "item,reference_id,portion,decision,codes,spans,justification\n"
        f"{item['item']},{item['reference_id']},{item['portion']},withhold,B1;1.4(b),,"
        "would reveal what an allied government told us in confidence\n"
    )
    page.get_by_label("The agency's answer (CSV)").set_input_files(str(answer))
    page.get_by_role("button", name="Import the answer").click()
    page.locator(".messages", has_text=f"Reconciled into the review of {seed.reference_id}").wait_for()
    shot(page, "02-consultation-answered")
    consultation.refresh_from_db()
    assert consultation.state == "answered"
    review = reviews[seed.reference_id]
    review.refresh_from_db()
    assert review.state == Review.State.IN_REVIEW
    assert review.decisions.get(portion__order=referred).agency == "DOD"

    # the reviewer submits the seed now that DOD has answered
    acknowledge_mosaic(review, rita)
    page = open_page(rita, f"/reviews/{review.pk}/", javascript=False)
    page.get_by_role("button", name="Submit for approval").click()
    page.locator(".messages").first.wait_for()
    review.refresh_from_db()
    assert review.state == Review.State.PENDING_APPROVAL

    # -- approve (confirming the acknowledged findings), release ---------------------------------
    for cable in cables:
        review = reviews[cable.reference_id]
        page = open_page(sue, f"/approvals/{review.pk}/", javascript=False)
        for box in page.locator('input[name="confirm_mosaic"]').all():
            box.check()
        page.get_by_role("button", name=f"Approve {review.case_number}").click()
        page.locator(".messages").first.wait_for()
        review.refresh_from_db()
        assert review.state == Review.State.APPROVED, page.locator(".messages").text_content()
    page = open_page(rex, "/releases/", javascript=False)
    for cable in cables:
        review = reviews[cable.reference_id]
        page.get_by_role("button", name=f"Release {review.case_number} ({cable.reference_id})").click()
        page.locator(".messages").first.wait_for()
        review.refresh_from_db()
        assert review.state == Review.State.RELEASED, page.locator(".messages").text_content()
        assert f"Case No. {case.number}" in review.release_copy.text

    # -- the Vaughn index and the letter ---------------------------------------------------------
    page = open_page(sue, f"/cases/{case.pk}/", javascript=False)
    shot(page, "03-case-released")
    rows = list(csv.DictReader(io.StringIO(download(page, "Vaughn index (CSV)", tmp_path).decode())))
    index_pdf = export.extract("pdf", download(page, "Vaughn index (PDF)", tmp_path))
    letter = export.extract("pdf", download(page, "Response letter (PDF)", tmp_path))
    by_ref = {r["reference_id"]: r for r in rows}
    assert set(by_ref) == {c.reference_id for c in cables}
    assert by_ref[seed.reference_id]["decided_by_agency"] == "DOD"
    assert by_ref[seed.reference_id]["codes"] == "B1, 1.4(B)"
    for cable in cables:
        row = by_ref[cable.reference_id]
        portion = cable.portions.get(order=referred if cable is seed else withheld[cable.reference_id])
        assert (
            row["location"].startswith(export.portion_name(portion)) and row["extent"] == "withheld in full"
        )
        assert row["location"] in " ".join(index_pdf.split()) and row["codes"] in index_pdf
        # what was withheld is nowhere in the index or the letter (the leak check's own needles)
        secret = export.Secret(row["portion"], "withheld portion", portion.text)
        for needle in export.needles(secret):
            assert needle not in export.normalise(index_pdf) and needle not in export.normalise(letter)
        assert cable.reference_id in letter
    assert case.number in letter and "B1: Classified under an executive order" in letter
