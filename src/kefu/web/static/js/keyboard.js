// Keyboard navigation: j/k move, Enter opens, r reply, n note, e resolve, a assign, / search, ? shortcuts.
function typing(target) {
  return target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

function rowLinks() {
  return Array.from(document.querySelectorAll("#rows .row-link"));
}

function move(step) {
  const links = rowLinks();
  if (links.length === 0) return;
  let index = links.indexOf(document.activeElement);
  if (index === -1) index = links.findIndex((link) => link.closest(".row").classList.contains("selected"));
  const next = index === -1 ? 0 : Math.min(links.length - 1, Math.max(0, index + step));
  links[next].focus();
  links[next].scrollIntoView({ block: "nearest" });
}

function focus(id) {
  const element = document.getElementById(id);
  if (element) element.focus();
  return Boolean(element);
}

export function installKeyboard(root) {
  const dialog = document.getElementById("shortcuts");
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const actions = {
      j: () => move(1),
      k: () => move(-1),
      r: () => focus("reply"),
      n: () => focus("note"),
      a: () => focus("assignee"),
      "/": () => focus("search"),
      e: () => {
        const form = document.getElementById("resolve-form");
        if (form) form.requestSubmit();
      },
      "?": () => dialog && dialog.showModal(),
    };
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });
  root.dataset.keyboard = "ready";
}
