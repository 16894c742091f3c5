// The one <script> tag a host site adds:
//   <script src="https://kefu.example.com/static/widget/embed.js" data-kefu-inbox="INBOX_ID" async></script>
// Optional attributes: data-lang, and for a signed-in user of the host app data-user-id, data-user-hash
// (hex HMAC-SHA256 of the user id with the inbox's identity_secret, computed on the host's server),
// data-name, data-email. It adds a launcher button and the chat page in a frame; nothing else on the page.
(function () {
  const script = document.currentScript || document.querySelector("script[data-kefu-inbox]");
  if (!script || window.__kefuWidget) return;
  window.__kefuWidget = true;
  const origin = new URL(script.src).origin;
  const page = new URL(`/widget/${encodeURIComponent(script.dataset.kefuInbox)}`, origin);
  const pass = { lang: "lang", userId: "user_id", userHash: "user_hash", name: "name", email: "email" };
  for (const [attribute, param] of Object.entries(pass)) {
    if (script.dataset[attribute]) page.searchParams.set(param, script.dataset[attribute]);
  }
  const frame = document.createElement("iframe");
  frame.src = page.href;
  frame.title = "Chat";
  frame.setAttribute("allow", "clipboard-write");
  Object.assign(frame.style, {
    position: "fixed", right: "20px", bottom: "88px", width: "360px", height: "520px",
    maxWidth: "calc(100vw - 40px)", maxHeight: "calc(100vh - 120px)", border: "0",
    borderRadius: "12px", boxShadow: "0 8px 30px rgba(0,0,0,.2)", display: "none", zIndex: "2147483000",
    background: "#fff",
  });
  const button = document.createElement("button");
  button.type = "button";
  button.setAttribute("aria-label", "Chat");
  button.setAttribute("aria-expanded", "false");
  button.textContent = "💬";
  Object.assign(button.style, {
    position: "fixed", right: "20px", bottom: "20px", width: "56px", height: "56px", borderRadius: "50%",
    border: "0", background: "#0b6bcb", color: "#fff", fontSize: "26px", cursor: "pointer",
    boxShadow: "0 4px 14px rgba(0,0,0,.25)", zIndex: "2147483000",
  });
  button.addEventListener("click", () => {
    const open = frame.style.display === "none";
    frame.style.display = open ? "block" : "none";
    button.setAttribute("aria-expanded", String(open));
  });
  document.body.append(frame, button);
})();
