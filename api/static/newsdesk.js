// newsdesk's search page works without this file: every control is a link or a GET form.
// This only improves it: filters apply as they are ticked, results change without a full
// reload (the URL still changes, so Back and shared links behave), and the facet boxes
// suggest values from /facets/{name}.
(() => {
  "use strict";
  document.documentElement.classList.add("js");
  const form = () => document.getElementById("search");

  function formUrl() {
    // Blank fields and defaults left as they are say nothing: the link stays short.
    const defaults = new Set([...document.querySelectorAll("[data-default]")]
      .map((el) => `${el.name}=${el.dataset.default}`));
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form())) {
      if (typeof value !== "string" || value.trim() === "") continue;
      if (!defaults.has(`${name}=${value}`)) params.append(name, value);
    }
    const query = params.toString();
    return form().getAttribute("action") + (query ? "?" + query : "");
  }

  let pending = null;
  async function go(url, { push = true, focus = null } = {}) {
    if (pending) pending.abort();
    pending = new AbortController();
    document.body.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(url, { signal: pending.signal, headers: { Accept: "text/html" } });
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = doc.getElementById("page");
      if (!fresh) { window.location.assign(url); return; }
      document.getElementById("page").replaceWith(fresh);
      const box = doc.getElementById("q");
      if (box) document.getElementById("q").value = box.value;
      for (const hidden of form().querySelectorAll("input[type=hidden]")) hidden.remove();
      for (const hidden of doc.querySelectorAll("#search input[type=hidden]")) form().append(hidden);
      document.title = doc.title;
      if (push) history.pushState(null, "", url);
      restoreFocus(focus);
    } catch (error) {
      if (error.name !== "AbortError") window.location.assign(url);
    } finally {
      document.body.removeAttribute("aria-busy");
    }
  }

  // After a swap, focus the control the user was on (the same box), or the results.
  function restoreFocus(focus) {
    let target = null;
    if (focus && focus.name) {
      target = [...document.querySelectorAll(`input[name="${CSS.escape(focus.name)}"]`)]
        .find((el) => el.value === focus.value && el.type === focus.type);
    }
    if (focus && focus.id) target = target || document.getElementById(focus.id);
    (target || document.getElementById("results-heading") || document.getElementById("main"))
      .focus({ preventScroll: Boolean(target) });
  }

  document.addEventListener("submit", (event) => {
    if (event.target.id !== "search") return;
    event.preventDefault();
    const active = document.activeElement;
    const keep = active && active.id === "q" ? { id: "q" } : null;
    go(formUrl(), { focus: keep });
  });

  document.addEventListener("change", (event) => {
    const el = event.target;
    if (el.form !== form() || !(el.type === "checkbox" || el.tagName === "SELECT")) return;
    go(formUrl(), { focus: { name: el.name, value: el.value, type: el.type, id: el.id } });
  });

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-nav]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    go(link.getAttribute("href") || link.getAttribute("xlink:href"));
  });

  window.addEventListener("popstate", () => go(window.location.href, { push: false }));

  // Facet boxes: narrow the listed values as one types, and suggest others from the index.
  let timer = null;
  document.addEventListener("input", (event) => {
    const box = event.target;
    const facet = box.dataset && box.dataset.facetInput;
    if (!facet) return;
    const typed = box.value.trim().toLowerCase();
    const panel = document.getElementById("facet-" + facet);
    for (const item of panel.querySelectorAll(".options li")) {
      const name = item.querySelector(".value").textContent.toLowerCase();
      item.hidden = typed !== "" && !name.includes(typed);
    }
    if (typed) for (const more of panel.querySelectorAll("details.more")) more.open = true;
    clearTimeout(timer);
    if (!typed) return;
    timer = setTimeout(async () => {
      try {
        const response = await fetch(`/facets/${facet}?size=10&prefix=${encodeURIComponent(box.value.trim())}`);
        if (!response.ok) return;
        const list = document.getElementById("list-" + facet);
        list.replaceChildren(...(await response.json()).values.map((v) => {
          const option = document.createElement("option");
          option.value = v.value;
          option.label = `${v.value} (${v.count})`;
          return option;
        }));
      } catch (error) { /* suggestions are a convenience: typing still works */ }
    }, 150);
  });
})();
