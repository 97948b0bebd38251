// Keyboard shortcuts: global ones, and those of the view on screen (replaced on each view).

const global = new Map();
let local = new Map();
let pending = ""; // the first key of a two-key shortcut ("g o")

export function setGlobal(key, help, action) {
  global.set(key, { help, action });
}

export function setLocal(bindings) {
  local = new Map(Object.entries(bindings));
}

export function helpEntries() {
  return [...local.entries(), ...global.entries()].map(([key, { help }]) => [key, help]);
}

function typing(target) {
  return target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (typing(event.target)) {
    if (event.key === "Escape") event.target.blur();
    return;
  }
  const key = pending ? `${pending} ${event.key}` : event.key;
  const binding = local.get(key) || global.get(key);
  if (binding) {
    pending = "";
    event.preventDefault();
    binding.action(event);
    return;
  }
  const prefix = [...local.keys(), ...global.keys()].some((k) => k.startsWith(`${event.key} `));
  pending = prefix && !pending ? event.key : "";
});
