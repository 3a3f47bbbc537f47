// The web inbox's script. Every page works without it; it adds live updates (server-sent
// events pushed by the emulator's store), keyboard shortcuts, infinite scroll, local times,
// preview widths without a reload, and a confirmation before cleaning a sandbox.
(() => {
  "use strict";
  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

  function localizeTimes(root) {
    const now = new Date();
    const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
    const day = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
    const date = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
    const full = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "long" });
    const long = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
    for (const el of $$("time[datetime]", root)) {
      const at = new Date(el.getAttribute("datetime"));
      if (Number.isNaN(at.getTime())) continue;
      el.title = full.format(at);
      if (!el.closest(".row")) { el.textContent = long.format(at); continue; }
      el.textContent = at.toDateString() === now.toDateString() ? time.format(at)
        : at.getFullYear() === now.getFullYear() ? day.format(at) : date.format(at);
    }
  }

  let toastTimer = 0;
  function toast(text) {
    const el = $("#toast");
    if (!el) return;
    el.textContent = text;
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { el.hidden = true; }, 4000);
  }

  // The colour theme: the system's (auto), or light or dark as picked, kept in this browser.
  const themes = ["auto", "light", "dark"];
  let theme = "auto";
  try { theme = localStorage.getItem("mailtrap-sandbox-theme") || "auto"; } catch (error) { /* private mode */ }
  function applyTheme() {
    if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
    else delete document.documentElement.dataset.theme;
    const button = $(".theme-toggle");
    if (button) button.textContent = `Theme: ${theme}`;
  }
  function nextTheme() {
    theme = themes[(themes.indexOf(theme) + 1) % themes.length];
    try { localStorage.setItem("mailtrap-sandbox-theme", theme); } catch (error) { /* private mode */ }
    applyTheme();
  }
  applyTheme();
  $(".theme-toggle")?.addEventListener("click", nextTheme);

  localizeTimes(document);
  for (const form of $$("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }

  const app = $("#app");
  if (!app) return;
  const sandbox = app.dataset.sandbox;
  const opened = app.dataset.message || "";
  const search = app.dataset.search || "";
  const paged = app.hasAttribute("data-paged");
  const rows = $("#rows");
  const help = $("#help");

  // Fragments of the inbox, as DOM nodes.
  async function fragment(url) {
    const response = await fetch(url, { headers: { "X-Requested-With": "inbox" } });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    const template = document.createElement("template");
    template.innerHTML = await response.text();
    localizeTimes(template.content);
    return template.content;
  }

  function rowsUrl(before) {
    const query = new URLSearchParams();
    if (search) query.set("q", search);
    if (before) query.set("before", before);
    const text = query.toString();
    return `/ui/sandboxes/${sandbox}/rows${text ? `?${text}` : ""}`;
  }

  function markOpened(root) {
    for (const link of $$(".row a", root)) {
      if (link.closest(".row").dataset.id === opened) link.setAttribute("aria-current", "true");
    }
  }

  // Infinite scroll: the "Older messages" link loads the next page in place.
  let loadingOlder = false;
  async function loadOlder(link) {
    if (loadingOlder) return;
    loadingOlder = true;
    try {
      const more = await fragment(link.dataset.rows);
      markOpened(more);
      link.closest("li").replaceWith(more);
      watchOlder();
    } catch (error) {
      toast("Could not load older messages.");
    } finally {
      loadingOlder = false;
    }
  }
  const observer = "IntersectionObserver" in window
    ? new IntersectionObserver((entries) => {
      for (const entry of entries) if (entry.isIntersecting) loadOlder(entry.target);
    }, { root: $("#list"), rootMargin: "200px" })
    : null;
  function watchOlder() {
    const link = $(".more a.older", rows || document);
    if (link && observer) observer.observe(link);
  }
  watchOlder();

  // Live updates.
  function setBadge(id, unread) {
    const badge = $(`.sandbox[data-sandbox="${id}"] .badge`);
    if (!badge) return;
    badge.textContent = unread;
    badge.dataset.unread = unread;
    badge.hidden = unread === 0;
  }
  function setCounts(count, unread) {
    const total = $("#counts [data-count]");
    const unseen = $("#counts [data-unread]");
    if (total) total.textContent = count;
    if (unseen) unseen.textContent = unread;
    document.title = document.title.replace(/^\(\d+\) /, "");
    if (unread > 0) document.title = `(${unread}) ${document.title}`;
  }
  function rowOf(id) {
    return rows ? $(`.row[data-id="${id}"]`, rows) : null;
  }

  // New rows are fetched, not built here: one request at a time, repeated if more changes
  // arrived meanwhile.
  let refreshing = false;
  let again = false;
  let replaceAll = false;
  async function refreshRows(all) {
    replaceAll = replaceAll || all;
    if (!rows || paged) return;
    if (refreshing) { again = true; return; }
    refreshing = true;
    try {
      do {
        again = false;
        const whole = replaceAll;
        replaceAll = false;
        const page = await fragment(rowsUrl());
        markOpened(page);
        const newest = Math.max(0, ...$$(".row", rows).map((row) => Number(row.dataset.id)));
        const fetched = $$(".row", page);
        const overlap = fetched.some((row) => Number(row.dataset.id) <= newest);
        if (whole || !overlap) {
          rows.replaceChildren(page);
          watchOlder();
        } else {
          const fresh = fetched.filter((row) => Number(row.dataset.id) > newest);
          for (const row of fresh) row.classList.add("fresh");
          rows.prepend(...fresh);
        }
        const empty = $("#list .empty");
        if (empty && $(".row", rows)) empty.remove();
      } while (again || replaceAll);
    } catch (error) {
      toast("Could not refresh the list.");
    } finally {
      refreshing = false;
    }
  }

  async function refreshSidebar() {
    try {
      const nav = await fragment(`/ui/sidebar?selected=${sandbox}`);
      const current = $("#sidebar");
      const next = $("#sidebar", nav);
      if (current && next) current.replaceWith(next);
    } catch (error) {
      toast("Could not refresh the sandboxes.");
    }
  }

  function handle(event) {
    if (event.type === "resources") { refreshSidebar(); return; }
    if (event.type === "resync") { refreshSidebar(); refreshRows(true); return; }
    if (typeof event.unread === "number") setBadge(event.sandbox, event.unread);
    if (String(event.sandbox) !== sandbox) return;
    if (typeof event.count === "number") setCounts(event.count, event.unread);
    const row = event.message === undefined ? null : rowOf(event.message);
    switch (event.type) {
      case "added": refreshRows(false); break;
      case "read": if (row) row.classList.toggle("unread", !event.read); break;
      case "deleted":
        if (row) row.remove();
        if (String(event.message) === opened) toast("This message was deleted.");
        break;
      case "sandbox": refreshRows(true); break;
      default: break;
    }
  }

  if ("EventSource" in window) {
    const source = new EventSource("/ui/events");
    source.addEventListener("message", (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch (error) { return; }
      handle(event);
    });
    const live = $("#live");
    const showLive = (state, text) => {
      document.documentElement.dataset.live = state;
      if (live) { live.hidden = false; live.dataset.state = state; live.textContent = text; }
    };
    source.addEventListener("open", () => {
      showLive("on", "Live");
      // Mail that arrived between this page's rendering and the stream's start (or while the
      // stream was down) sent no event here: fetch the newest rows once.
      refreshRows(false);
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) {
        showLive("off", "Offline");
        toast("Live updates stopped: reload the page.");
      } else {
        showLive("reconnecting", "Reconnecting…");
      }
    });
  }

  // Preview widths without a reload.
  for (const link of $$(".widths [data-width]")) {
    link.addEventListener("click", (event) => {
      const wrap = $(".frame-wrap");
      if (!wrap) return;
      event.preventDefault();
      wrap.dataset.width = link.dataset.width;
      for (const other of $$(".widths [data-width]")) other.removeAttribute("aria-current");
      link.setAttribute("aria-current", "true");
      history.replaceState(null, "", link.href);
    });
  }

  // Keyboard.
  function rowLinks() { return rows ? $$(".row a", rows) : []; }
  function move(step, open) {
    const links = rowLinks();
    if (links.length === 0) return;
    const focused = links.indexOf(document.activeElement);
    const current = focused >= 0 ? focused : links.findIndex((a) => a.hasAttribute("aria-current"));
    const next = links[Math.min(links.length - 1, Math.max(0, current < 0 ? 0 : current + step))];
    if (open) { window.location.href = next.href; } else { next.focus(); next.scrollIntoView({ block: "nearest" }); }
  }
  const press = (selector) => { const el = $(selector); if (el) el.click(); };
  if (help) $(".help-toggle")?.addEventListener("click", () => help.showModal());
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest("input, textarea, select, [contenteditable]")) {
      if (event.key === "Escape") target.blur();
      return;
    }
    if (help && help.open) return;
    const key = event.key;
    if (key === "/") { event.preventDefault(); $("#search")?.focus(); }
    else if (key === "j") move(1, true);
    else if (key === "k") move(-1, true);
    else if (key === "ArrowDown" && target.closest(".rows")) { event.preventDefault(); move(1, false); }
    else if (key === "ArrowUp" && target.closest(".rows")) { event.preventDefault(); move(-1, false); }
    else if (key === "u") press('[data-shortcut="u"]');
    else if (key === "#" || key === "Delete") press('[data-shortcut="delete"]');
    else if (/^[1-9]$/.test(key)) press(`.tabs a[data-key="${key}"]`);
    else if (key === "Escape" && opened) press(".back");
    else if (key === "?" && help) help.showModal();
    else if (key === "t") nextTheme();
  });
})();
