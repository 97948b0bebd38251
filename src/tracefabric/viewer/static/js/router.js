// Client-side routes: every view has a real URL (history API), so links can be shared.

const routes = [];
let render = null;

export function route(pattern, view) {
  const names = [];
  const regex = new RegExp(
    `^${pattern.replace(/\/:(\w+)/g, (_, name) => {
      names.push(name);
      return "/([^/]+)";
    })}/?$`,
  );
  routes.push({ regex, names, view });
}

export function start(onRender) {
  render = onRender;
  document.addEventListener("click", (event) => {
    const anchor = event.target.closest("a[data-link]");
    if (!anchor || event.defaultPrevented || event.button !== 0) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    go(anchor.getAttribute("href"));
  });
  window.addEventListener("popstate", () => dispatch());
  dispatch();
}

export function go(href, { replace = false } = {}) {
  const url = new URL(href, location.href);
  if (url.origin !== location.origin) {
    location.href = href;
    return;
  }
  if (replace) history.replaceState(null, "", url);
  else if (url.href !== location.href) history.pushState(null, "", url);
  dispatch();
}

export function dispatch() {
  const path = location.pathname;
  for (const { regex, names, view } of routes) {
    const match = regex.exec(path);
    if (match) {
      const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
      render(view, params, new URLSearchParams(location.search));
      return;
    }
  }
  render(null, {}, new URLSearchParams(location.search));
}
