// The review page: keyboard shortcuts, text selection that snaps to whole words and becomes a
// span to excise, and decisions recorded without a reload. Without this script every form still
// posts and the server redirects back; nothing here is needed to decide.
//
// Offsets sent to the server count characters of the portion's text exactly as stored: Python
// counts code points, JavaScript strings count UTF-16 units, so offsets are converted both ways.

const WORD = /[\p{L}\p{N}_'\u2019-]/u;

export function textOffset(root, node, offset) {
  // The UTF-16 offset into root's text of the boundary point (node, offset), found by walking the
  // text nodes in order: whatever elements wrap them (highlights), their text is the stored text.
  const point = document.createRange();
  point.setStart(node, offset);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let total = 0;
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    if (t === node) return total + offset;
    if (point.comparePoint(t, 0) >= 0) return total; // the point lies before this text node
    total += t.data.length;
  }
  return total;
}

export function codePoints(text, utf16) {
  return Array.from(text.slice(0, utf16)).length;
}

export function utf16Units(text, cps) {
  let units = 0;
  let seen = 0;
  for (const ch of text) {
    if (seen === cps) break;
    units += ch.length;
    seen += 1;
  }
  return units;
}

export function snapToWords(text, start, end) {
  // Drop what is not a word at either end, then widen to whole words; null if no word is left.
  while (start < end && !WORD.test(text[start])) start += 1;
  while (end > start && !WORD.test(text[end - 1])) end -= 1;
  if (start >= end) return null;
  while (start > 0 && WORD.test(text[start - 1])) start -= 1;
  while (end < text.length && WORD.test(text[end])) end += 1;
  return [start, end];
}

// Unicode bidi controls (cables/bidi.py): kept in the text, since offsets count them, but each in
// an element that the stylesheet isolates and labels with its code point.
const BIDI = /[\u202A-\u202E\u2066-\u2069]/g;

function bidiMark(control) {
  return `\u27e8U+${control.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}\u27e9`;
}

export function revealBidi(text) {
  // The text with each bidi control replaced by its mark, for messages and quotes.
  return text.replace(BIDI, bidiMark);
}

export function appendText(parent, text) {
  // Append text to parent, each bidi control wrapped as the server wraps it (isolate_bidi).
  let at = 0;
  for (const m of text.matchAll(BIDI)) {
    if (m.index > at) parent.append(text.slice(at, m.index));
    const wrap = document.createElement("span");
    wrap.className = "bidi-control";
    wrap.dataset.mark = bidiMark(m[0]);
    wrap.textContent = m[0];
    parent.append(wrap);
    at = m.index + m[0].length;
  }
  if (at < text.length) parent.append(text.slice(at));
}

function parseSpans(data) {
  // "start:end:codes;..." in code points, as the server renders data-spans.
  if (!data) return [];
  return data.split(";").map((item) => {
    const [start, end, codes] = item.split(":");
    return { start: Number(start), end: Number(end), codes: codes || "" };
  });
}

class ReviewPage {
  constructor(root) {
    this.root = root;
    this.editable = root.hasAttribute("data-editable");
    // The user's preference (account/preferences): off, no single key acts (WCAG 2.1.4); the
    // buttons, Ctrl+Enter and Esc still do.
    this.singleKeys = root.dataset.shortcuts !== "off";
    this.pending = new Map(); // portion order -> [{start, end}] in code points
    this.current = null;
    this.status = document.getElementById("review-status");
    this.dialog = document.getElementById("keys-help");
    this.confirmRest = document.getElementById("release-rest-confirm");
    this.nameAt = new Map(); // portion order -> index of the name the e key marked last
    this.lastFocus = null;

    const helpButton = document.getElementById("keys-button");
    if (helpButton) {
      helpButton.hidden = false;
      helpButton.addEventListener("click", () => this.showHelp());
    }
    if (this.dialog) {
      this.dialog.addEventListener("close", () => this.lastFocus?.focus());
      this.dialog.addEventListener("keydown", (ev) => {
        if (ev.key === "Escape") {
          ev.preventDefault();
          this.dialog.close();
        }
      });
    }
    if (this.confirmRest) {
      this.confirmRest.addEventListener("close", () => {
        const form = this.root.querySelector("form[data-release-rest]");
        if (this.confirmRest.returnValue === "release" && form) this.post(form);
        else this.lastFocus?.focus();
      });
    }
    document.addEventListener("keydown", (ev) => this.onKey(ev));
    root.addEventListener("focusin", (ev) => {
      const section = ev.target.closest?.("section.rportion");
      if (section) this.mark(section);
    });
    if (this.editable) {
      root.addEventListener("mouseup", () => this.takeSelection(false));
      root.addEventListener("submit", (ev) => this.onSubmit(ev));
    }
    const fromHash = location.hash.startsWith("#portion-") && document.getElementById(location.hash.slice(1));
    if (fromHash) this.select(fromHash, false);
  }

  sections() {
    return Array.from(this.root.querySelectorAll("section.rportion"));
  }

  mark(section) {
    if (this.current === section) return;
    this.current?.classList.remove("current");
    this.current = section;
    section.classList.add("current");
    this.follow(section);
  }

  follow(section) {
    // The preview pane scrolls to show the current portion as it would be released, by itself
    // (scrolling the pane only, never the page).
    const pane = document.querySelector(".review-preview-pane");
    const line = pane?.querySelector(`.preview-portion[data-order="${section.dataset.order}"]`);
    if (!pane || !line) return;
    pane.querySelectorAll(".preview-portion.current").forEach((el) => el.classList.remove("current"));
    line.classList.add("current");
    const top = line.getBoundingClientRect().top - pane.getBoundingClientRect().top + pane.scrollTop;
    if (top < pane.scrollTop || top + line.offsetHeight > pane.scrollTop + pane.clientHeight) {
      pane.scrollTop = Math.max(0, top - pane.clientHeight / 3);
    }
  }

  select(section, scroll = true) {
    if (!section) return;
    this.mark(section);
    section.focus({ preventScroll: true });
    if (scroll) section.scrollIntoView({ block: "center", behavior: "instant" });
  }

  move(delta) {
    const all = this.sections();
    if (!all.length) return;
    const at = this.current ? all.indexOf(this.current) : -1;
    const next = at < 0 ? (delta > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + delta));
    this.select(all[next]);
  }

  announce(message, error = false) {
    if (!this.status) return;
    // The same words again still change the region (a no-break space added), so they are read again.
    const text = revealBidi(message);
    this.status.textContent = this.status.textContent === text ? `${text}\u00a0` : text;
    this.status.classList.toggle("error", error);
  }

  showHelp() {
    if (!this.dialog || this.dialog.open) return;
    this.lastFocus = document.activeElement;
    this.dialog.showModal();
    document.getElementById("keys-close")?.focus();
  }

  onKey(ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey) && ev.target instanceof Element) {
      // Ctrl+Enter records the decision form being filled in, from any of its fields.
      const form = ev.target.closest("form[data-decide]");
      if (form && this.root.contains(form)) {
        ev.preventDefault();
        this.post(form);
      }
      return;
    }
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (this.dialog?.open || this.confirmRest?.open) return; // a dialog closes itself on Escape
    const target = ev.target;
    if (ev.key === "Escape" && target instanceof Element && target.closest("form[data-decide]") && this.current) {
      // Out of the form, back to the portion: the keys work again.
      ev.preventDefault();
      this.current.focus({ preventScroll: true });
      return;
    }
    if (target instanceof Element && target.closest("input, textarea, select, button, [contenteditable]")) {
      if (!(target instanceof HTMLButtonElement) || ev.key === " " || ev.key === "Enter") return;
    }
    const actions = {
      j: () => this.move(1),
      k: () => this.move(-1),
      "?": () => this.showHelp(),
      r: () => this.release(),
      a: () => this.acceptSuggestion(),
      w: () => this.openForm("withhold"),
      e: () => this.excise(),
      u: () => this.undo(),
      h: () => this.releaseHeader(),
      R: () => this.releaseRest(),
    };
    const action = actions[ev.key];
    if (!action || !this.singleKeys) return;
    ev.preventDefault();
    if ("raweuhR".includes(ev.key) && !this.editable) {
      this.announce("This page is read only for you: no decisions here.", true);
      return;
    }
    if ("rawu".includes(ev.key) && !this.current) {
      this.announce("Choose a portion first: press j for the next one.", true);
      return;
    }
    action();
  }

  // Post the form `selector` finds in `scope`, or say (`missing`) why there is none.
  postFound(scope, selector, missing) {
    const form = scope.querySelector(selector);
    if (form) this.post(form);
    else this.announce(missing, true);
  }

  releaseHeader() {
    this.postFound(this.root, "form[data-header-block]", "The routing and header lines are all decided already.");
  }

  releaseRest() {
    const form = this.root.querySelector("form[data-release-rest]");
    if (!form) {
      this.announce("Every portion is decided already.", true);
      return;
    }
    if (!this.confirmRest) {
      this.post(form);
      return;
    }
    this.lastFocus = document.activeElement;
    this.confirmRest.returnValue = "";
    this.confirmRest.showModal();
    document.getElementById("release-rest-yes")?.focus();
  }

  release() {
    const form = this.current.querySelector("form[data-release]");
    if (form) this.post(form);
  }

  acceptSuggestion() {
    this.postFound(this.current, "form[data-accept-suggestion]", "There is no suggestion for this portion.");
  }

  undo() {
    this.postFound(this.current, "form[data-undo]", "This portion has no decision to undo.");
  }

  excise() {
    this.takeSelection(true);
    if (!this.current) {
      this.announce("Select words in a portion's text first, then press e.", true);
      return;
    }
    const order = Number(this.current.dataset.order);
    if (!window.getSelection()?.toString() && this.markNextName(this.current)) return;
    const hasSpans = (this.pending.get(order) || []).length || this.current.querySelector("[data-span-list] li");
    if (!hasSpans) {
      this.announce("Select words in this portion's text first, then press e.", true);
      return;
    }
    this.openForm("excise");
  }

  markNextName(section) {
    // With nothing selected, e marks the portion's next name found by declass (data-names, in
    // code points) as a span to excise, in place of the one it marked before; B6 is ticked when
    // no code is, and the form opens at the justification.
    const el = section.querySelector("[data-portion-text]");
    const names = parseSpans(el?.dataset.names);
    if (!names.length) return false;
    const order = Number(section.dataset.order);
    const at = ((this.nameAt.get(order) ?? -1) + 1) % names.length;
    this.nameAt.set(order, at);
    const name = names[at];
    const text = el.textContent;
    const words = text.slice(utf16Units(text, name.start), utf16Units(text, name.end));
    section.querySelectorAll("[data-span-list] li.pending-span.from-key").forEach((li) => li.remove());
    const taken = [...this.keptSpans(section)];
    if (taken.some((s) => name.start < s.end && s.start < name.end)) {
      this.announce(`\u201c${words}\u201d is already marked to excise.`, true);
      return true;
    }
    this.pending.set(order, [{ start: name.start, end: name.end }]);
    this.mark(section);
    this.render(section);
    this.addToForm(section, name, words);
    section.querySelector("[data-span-list] li.pending-span:last-child")?.classList.add("from-key");
    const details = section.querySelector("details.decision-form");
    if (details && !details.querySelector('input[name="codes"]:checked')) {
      const b6 = details.querySelector('input[name="codes"][value="B6"]');
      if (b6) b6.checked = true;
    }
    details?.querySelector("textarea")?.focus();
    this.announce(
      `Marked \u201c${words}\u201d (name ${at + 1} of ${names.length}) to excise: give a justification and ` +
        "press Ctrl+Enter; Esc, then e again, marks the next name instead.",
    );
    return true;
  }

  openForm(kind) {
    const details = this.current.querySelector("details.decision-form");
    if (!details) return;
    details.open = true;
    const radio = details.querySelector(`input[name="kind"][value="${kind}"]`);
    if (radio) radio.checked = true;
    const first = details.querySelector('input[name="codes"]:checked') || details.querySelector('input[name="codes"]');
    (first || details.querySelector("textarea"))?.focus();
  }

  // -- selecting text to excise -------------------------------------------------------------------

  takeSelection(fromKey) {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return;
    const range = selection.getRangeAt(0);
    const container = range.commonAncestorContainer;
    const el = (container.nodeType === Node.TEXT_NODE ? container.parentElement : container)?.closest(
      "[data-portion-text]",
    );
    if (!el || !this.root.contains(el)) {
      if (!fromKey) return;
      this.announce("Select words within one portion's text.", true);
      return;
    }
    const text = el.textContent;
    const snapped = snapToWords(
      text,
      textOffset(el, range.startContainer, range.startOffset),
      textOffset(el, range.endContainer, range.endOffset),
    );
    selection.removeAllRanges();
    if (!snapped) return;
    const section = el.closest("section.rportion");
    const order = Number(section.dataset.order);
    const span = { start: codePoints(text, snapped[0]), end: codePoints(text, snapped[1]) };
    const taken = [...this.keptSpans(section), ...(this.pending.get(order) || [])];
    if (taken.some((s) => span.start < s.end && s.start < span.end)) {
      this.announce("That overlaps a span already marked: untick it in the form first.", true);
      return;
    }
    this.pending.set(order, [...(this.pending.get(order) || []), span]);
    this.mark(section);
    this.render(section);
    this.addToForm(section, span, text.slice(snapped[0], snapped[1]));
    // "Excise this everywhere" (the Redaction rules section) takes the same words.
    const everywhere = document.getElementById("everywhere-term");
    if (everywhere) {
      everywhere.value = text.slice(snapped[0], snapped[1]);
      everywhere.closest("details").open = true;
    }
    this.announce(
      `Marked \u201c${text.slice(snapped[0], snapped[1])}\u201d (characters ${span.start}\u2013${span.end}) ` +
        "to excise: choose its codes, give a justification and record the decision.",
    );
  }

  keptSpans(section) {
    return Array.from(section.querySelectorAll('[data-span-list] input[name="spans"]:checked'))
      .map((box) => box.value.split(":"))
      .map(([start, end]) => ({ start: Number(start), end: Number(end) }));
  }

  render(section) {
    // Rebuild the text element from its own text: excised spans boxed, pending ones highlighted.
    const el = section.querySelector("[data-portion-text]");
    const text = el.textContent;
    const order = Number(section.dataset.order);
    const marks = [
      ...parseSpans(el.dataset.spans).map((s) => ({
        ...s,
        cls: "excised",
        title: `excised under ${s.codes}`,
        sr: `excised, ${s.codes.replaceAll(",", ", ")}:`,
      })),
      ...(this.pending.get(order) || []).map((s) => ({
        ...s,
        cls: "pending",
        title: "to excise (not yet recorded)",
        sr: "to excise:",
      })),
    ]
      .map((s) => ({ ...s, start: utf16Units(text, s.start), end: utf16Units(text, s.end) }))
      .sort((a, b) => a.start - b.start);
    const out = document.createDocumentFragment();
    let at = 0;
    for (const m of marks) {
      if (m.start < at) continue;
      if (m.start > at) appendText(out, text.slice(at, m.start));
      const mark = document.createElement("mark");
      mark.className = m.cls;
      mark.title = m.title;
      mark.dataset.sr = m.sr; // read before the words (the style sheet's hidden ::before)
      appendText(mark, text.slice(m.start, m.end));
      out.append(mark);
      at = m.end;
    }
    if (at < text.length) appendText(out, text.slice(at));
    el.replaceChildren(out);
  }

  addToForm(section, span, words) {
    const details = section.querySelector("details.decision-form");
    const list = section.querySelector("[data-span-list]");
    if (!details || !list) return;
    details.open = true;
    const radio = details.querySelector('input[name="kind"][value="excise"]');
    if (radio) radio.checked = true;
    const item = document.createElement("li");
    item.className = "pending-span";
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "spans";
    box.value = `${span.start}:${span.end}:`;
    box.checked = true;
    box.addEventListener("change", () => {
      if (box.checked) return;
      const order = Number(section.dataset.order);
      this.pending.set(
        order,
        (this.pending.get(order) || []).filter((s) => s.start !== span.start || s.end !== span.end),
      );
      item.remove();
      this.render(section);
    });
    const quote = document.createElement("q");
    quote.textContent = revealBidi(words.length > 60 ? `${words.slice(0, 59)}\u2026` : words);
    label.append(box, ` new: characters ${span.start}\u2013${span.end}: `, quote);
    item.append(label);
    list.append(item);
  }

  // -- posting decisions --------------------------------------------------------------------------

  onSubmit(ev) {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement) || !(form.hasAttribute("data-decide") || form.hasAttribute("data-undo"))) {
      return;
    }
    ev.preventDefault();
    this.post(form);
  }

  showError(form, message, field) {
    const box = form.querySelector("[data-form-error]");
    if (!box) return;
    const details = form.closest("details");
    if (details) details.open = true;
    box.textContent = message;
    box.hidden = false;
    const targets = {
      kind: 'input[name="kind"]:checked',
      codes: 'input[name="codes"]',
      justification: "textarea[name=justification]",
      agency: "input[name=agency]",
      spans: 'input[name="spans"], input[name="start"]',
    };
    const target = form.querySelector(targets[field] || targets.justification) || box;
    if (target === box) box.tabIndex = -1;
    target.focus();
    target.scrollIntoView({ block: "center", behavior: "instant" });
  }

  async post(form) {
    const section = form.closest("section.rportion");
    const body = new FormData(form);
    let data;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", "X-CSRFToken": body.get("csrfmiddlewaretoken") || "" },
      });
      const type = response.headers.get("Content-Type") || "";
      if (!type.includes("application/json")) {
        this.announce(`The server refused that (HTTP ${response.status}). Reload the page and try again.`, true);
        return;
      }
      data = await response.json();
    } catch {
      this.announce("The server could not be reached: nothing was recorded. Try again.", true);
      return;
    }
    if (!data.ok) {
      // Keep what the reviewer typed and marked; say what is wrong at the form itself and put
      // the cursor in the first field in error.
      this.announce(data.message, true);
      this.showError(form, data.message, data.field);
      return;
    }
    form.querySelector("[data-form-error]")?.setAttribute("hidden", "");
    const wasCurrent = section && section === this.current;
    if (section) this.pending.delete(Number(section.dataset.order));
    for (const [id, html] of Object.entries(data.fragments || {})) {
      const old = document.getElementById(id);
      if (!old) continue;
      const template = document.createElement("template");
      template.innerHTML = html;
      old.replaceWith(template.content);
    }
    this.announce(data.message);
    const next = document.getElementById(data.next);
    if (wasCurrent || !this.current || !this.current.isConnected) {
      this.current = null;
      const target = next?.matches("section.rportion") ? next : section && document.getElementById(section.id);
      if (target) this.select(target);
    }
  }
}

const root = document.getElementById("review-page");
if (root) new ReviewPage(root);
