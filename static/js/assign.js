// The assignment page: "select all on this page" ticks every cable's box, and unticking one cable
// unticks "select all". Without JavaScript the server still honours "select all" on its own.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("id_all_on_page");
  if (!all) return;
  const boxes = () => document.querySelectorAll('input[type="checkbox"][name="cables"]');
  all.addEventListener("change", () => {
    for (const box of boxes()) box.checked = all.checked;
  });
  for (const box of boxes()) {
    box.addEventListener("change", () => {
      if (!box.checked) all.checked = false;
    });
  }
});
