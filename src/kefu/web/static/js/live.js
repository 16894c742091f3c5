// Live updates: one WebSocket per tab; `conversation.updated` patches the list row, counts and open thread.
const RETRY_MS = [500, 1000, 2000, 5000, 10000];

async function fetchText(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
  if (response.redirected && new URL(response.url).pathname === "/login") {
    window.location.reload();
    return null;
  }
  return { status: response.status, text: response.status === 200 ? await response.text() : "" };
}

function fragment(html) {
  const template = document.createElement("template");
  template.innerHTML = html; // server-rendered, auto-escaped HTML of our own origin
  return template.content;
}

export function connectLive(root) {
  let lastEventId = Number(root.dataset.eventId || "0");
  let attempt = 0;
  let countsTimer = null;
  const view = root.dataset.view;
  const status = root.dataset.status;
  const selected = root.dataset.selected;

  async function patchRow(conversationId) {
    const query = new URLSearchParams({ view, status, selected });
    const result = await fetchText(`/inbox/rows/${conversationId}?${query}`);
    if (!result) return;
    const rows = document.getElementById("rows");
    const existing = rows.querySelector(`.row[data-id="${CSS.escape(conversationId)}"]`);
    if (result.status === 204) {
      if (existing) existing.remove();
      return;
    }
    const row = fragment(result.text).querySelector(".row");
    if (!row) return;
    const hadFocus = existing && existing.contains(document.activeElement);
    if (existing) existing.remove();
    row.classList.add("fresh");
    rows.prepend(row);
    const empty = document.getElementById("rows-empty");
    if (empty) empty.remove();
    if (hadFocus) row.querySelector(".row-link").focus();
  }

  async function patchOpenConversation(conversationId) {
    if (conversationId !== selected) return;
    for (const [url, id] of [[`/conversations/${conversationId}/thread`, "thread"],
                             [`/conversations/${conversationId}/context`, "context"]]) {
      const result = await fetchText(url);
      const target = document.getElementById(id);
      if (!result || result.status !== 200 || !target) continue;
      target.replaceChildren(fragment(result.text));
      if (id === "thread") target.scrollTop = target.scrollHeight;
    }
  }

  function refreshCounts() {
    clearTimeout(countsTimer);
    countsTimer = setTimeout(async () => {
      const response = await fetch(`/inbox/counts?status=${encodeURIComponent(status)}`, { credentials: "same-origin" });
      if (!response.ok) return;
      const counts = await response.json();
      for (const element of document.querySelectorAll("[data-count-for]")) {
        const value = counts[element.dataset.countFor];
        if (value !== undefined) element.textContent = new Intl.NumberFormat(document.documentElement.lang).format(value);
      }
    }, 200);
  }

  function handle(message) {
    if (message.type === "resync") {
      window.location.reload();
      return;
    }
    if (message.type === "ready") {
      root.dataset.live = "connected";
      return;
    }
    if (message.type !== "conversation.updated") return;
    if (typeof message.event_id === "number" && message.event_id > lastEventId) lastEventId = message.event_id;
    const id = message.conversation.id;
    patchRow(id);
    patchOpenConversation(id);
    refreshCounts();
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${window.location.host}/realtime?after=${lastEventId}`);
    socket.addEventListener("open", () => { attempt = 0; });
    socket.addEventListener("message", (event) => handle(JSON.parse(event.data)));
    socket.addEventListener("close", () => {
      root.dataset.live = "disconnected";
      const delay = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)];
      attempt += 1;
      setTimeout(connect, delay);
    });
  }

  connect();
}
