// Keyboard moderation of the queue: j/k move between cards, a/r/s/f/e submit the current
// card's own forms (the page works without this file), b opens its sanction form, x selects,
// u undoes the last decision, ? shows the shortcuts.
(() => {
  "use strict";
  const cards = () => Array.from(document.querySelectorAll("[data-card]"));
  const KEEP = "palabre-admin-current";
  let current = -1;

  function focusCard(index) {
    const all = cards();
    if (all.length === 0) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((card, i) => card.classList.toggle("current", i === current));
    all[current].focus();
    all[current].scrollIntoView({ block: "nearest" });
  }

  function press(key) {
    const card = cards()[current];
    if (!card) return false;
    const button = card.querySelector(`[data-key="${key}"]`);
    if (!button) return false;
    sessionStorage.setItem(KEEP, String(current));
    if (button.form) button.form.requestSubmit(button);
    else button.click();
    return true;
  }

  function openSanction() {
    const details = cards()[current]?.querySelector("details.sanction");
    if (!details) return false;
    details.open = true;
    details.querySelector("select")?.focus();
    return true;
  }

  function undo() {
    const button = document.querySelector('[data-key="u"]');
    if (!button || !button.form) return false;
    button.form.requestSubmit(button);
    return true;
  }

  function toggleSelected() {
    const box = cards()[current]?.querySelector("[data-select]");
    if (box) box.checked = !box.checked;
  }

  function typing(target) {
    return target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    const key = event.key;
    let handled = true;
    if (key === "j") focusCard(current + 1);
    else if (key === "k") focusCard(current - 1);
    else if (key === "x") toggleSelected();
    else if (key === "?") {
      const help = document.getElementById("shortcuts");
      if (help) help.open = !help.open;
    } else if (key === "b") handled = openSanction();
    else if (key === "u") handled = undo();
    else if ("arsfe".includes(key) && key.length === 1) handled = press(key);
    else handled = false;
    if (handled) event.preventDefault();
  });

  document.addEventListener("focusin", (event) => {
    const card = event.target instanceof Element ? event.target.closest("[data-card]") : null;
    if (!card) return;
    const index = cards().indexOf(card);
    if (index !== current) {
      current = index;
      cards().forEach((c, i) => c.classList.toggle("current", i === current));
    }
  });

  // After a decision the page reloads: carry on at the same place in the queue.
  const kept = sessionStorage.getItem(KEEP);
  sessionStorage.removeItem(KEEP);
  if (kept !== null && cards().length > 0) focusCard(Number(kept));
})();
