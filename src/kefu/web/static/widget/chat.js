// The chat widget page: pre-chat form, messages over the visitor WebSocket with acknowledgements,
// reconnect and resume (unacknowledged messages are resent with their client ids; the server sends
// what came after the last message id seen), and the offline form when no connection can be made.

const STRINGS = {
  en: { title: "Chat with us", name: "Name", email_or_phone: "Email or phone", language: "Language",
        start: "Start chat", message: "Message", send: "Send", connecting: "Connecting…",
        online: "Online", offline: "Offline: leave a message and we will get back to you",
        prechat: "Tell us who you are so we can reply, even after you leave.", sent_offline: "Message left. We will reply." },
  zh: { title: "在线客服", name: "姓名", email_or_phone: "邮箱或手机", language: "语言",
        start: "开始咨询", message: "消息", send: "发送", connecting: "正在连接…",
        online: "在线", offline: "暂时离线：请留言，我们会尽快回复您",
        prechat: "请留下联系方式，离开页面后我们也能回复您。", sent_offline: "留言已收到，我们会回复您。" },
  id: { title: "Obrolan dengan kami", name: "Nama", email_or_phone: "Email atau telepon", language: "Bahasa",
        start: "Mulai obrolan", message: "Pesan", send: "Kirim", connecting: "Menghubungkan…",
        online: "Online", offline: "Offline: tinggalkan pesan dan kami akan membalas",
        prechat: "Beri tahu kami siapa Anda agar kami bisa membalas.", sent_offline: "Pesan terkirim. Kami akan membalas." },
  vi: { title: "Trò chuyện với chúng tôi", name: "Họ tên", email_or_phone: "Email hoặc số điện thoại", language: "Ngôn ngữ",
        start: "Bắt đầu", message: "Tin nhắn", send: "Gửi", connecting: "Đang kết nối…",
        online: "Trực tuyến", offline: "Ngoại tuyến: hãy để lại lời nhắn, chúng tôi sẽ trả lời",
        prechat: "Cho chúng tôi biết bạn là ai để chúng tôi có thể trả lời.", sent_offline: "Đã gửi lời nhắn. Chúng tôi sẽ trả lời." },
  th: { title: "แชทกับเรา", name: "ชื่อ", email_or_phone: "อีเมลหรือเบอร์โทร", language: "ภาษา",
        start: "เริ่มแชท", message: "ข้อความ", send: "ส่ง", connecting: "กำลังเชื่อมต่อ…",
        online: "ออนไลน์", offline: "ออฟไลน์: ฝากข้อความไว้ แล้วเราจะติดต่อกลับ",
        prechat: "บอกเราว่าคุณคือใคร เพื่อให้เราตอบกลับได้", sent_offline: "ได้รับข้อความแล้ว เราจะตอบกลับ" },
  ms: { title: "Sembang dengan kami", name: "Nama", email_or_phone: "E-mel atau telefon", language: "Bahasa",
        start: "Mula sembang", message: "Mesej", send: "Hantar", connecting: "Menyambung…",
        online: "Dalam talian", offline: "Luar talian: tinggalkan mesej dan kami akan membalas",
        prechat: "Beritahu kami siapa anda supaya kami boleh membalas.", sent_offline: "Mesej diterima. Kami akan membalas." },
};
const OFFLINE_AFTER_MS = 5000;
const MAX_BACKOFF_MS = 10000;

const root = document.getElementById("kefu-chat");
const inbox = root.dataset.inbox;
const params = new URLSearchParams(location.search);
const storeKey = (name) => `kefu:${inbox}:${name}`;
// Browsers may refuse storage to a framed third-party page: then the widget remembers for this visit only.
const storage = (() => {
  try { const store = window.localStorage; store.getItem("kefu"); return store; } catch { return null; }
})();
const memory = new Map();
const read = (key) => (storage ? storage.getItem(key) : memory.get(key) ?? null);
const load = (name, fallback) => {
  try { return JSON.parse(read(storeKey(name))) ?? fallback; } catch { return fallback; }
};
const save = (name, value) => {
  const text = JSON.stringify(value);
  try { if (storage) storage.setItem(storeKey(name), text); else memory.set(storeKey(name), text); } catch { memory.set(storeKey(name), text); }
};

function pickLanguage() {
  const wanted = [params.get("lang"), root.dataset.lang, load("contact", {}).language, ...(navigator.languages || [])];
  for (const tag of wanted) {
    const base = (tag || "").toLowerCase().split("-")[0];
    if (STRINGS[base]) return base;
  }
  return "en";
}
let lang = pickLanguage();
const t = (key) => (STRINGS[lang] || STRINGS.en)[key] || STRINGS.en[key];

function translate() {
  document.documentElement.lang = lang;
  for (const node of root.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  document.getElementById("kc-title").textContent = root.dataset.title || t("title");
  document.getElementById("kc-prechat-intro").textContent = t("prechat");
  setState(root.dataset.state);
}

const log = document.getElementById("kc-log");
const shown = new Map(); // message id or "c:"+client id -> element
const identified = params.has("user_id") && params.has("user_hash");
let visitor = load("visitor", null) || root.dataset.visitor;
let lastId = load("last_id", null);
let outbox = load("outbox", []); // [{client_id, text, contact}] not yet acknowledged
let socket = null;
let backoff = 500;
let offlineTimer = null;

function setState(state) {
  root.dataset.state = state;
  const label = { connecting: t("connecting"), connected: t("online"), offline: t("offline") }[state] || "";
  document.getElementById("kc-status").textContent = label;
  const note = document.getElementById("kc-offline");
  note.hidden = state !== "offline";
  note.textContent = t("offline");
}

function bubble(key, direction, text, pending) {
  let node = shown.get(key);
  if (!node) {
    node = document.createElement("div");
    log.append(node);
    shown.set(key, node);
  }
  node.className = `kc-msg ${direction}${pending ? " pending" : ""}`;
  node.textContent = text; // customer text is data, never markup
  log.scrollTop = log.scrollHeight;
  return node;
}

function receive(frame) {
  const byClient = frame.client_id ? shown.get(`c:${frame.client_id}`) : null;
  if (shown.has(frame.id)) return;
  if (byClient) {
    shown.delete(`c:${frame.client_id}`);
    shown.set(frame.id, byClient);
    byClient.classList.remove("pending");
    byClient.dataset.id = frame.id;
  } else {
    bubble(frame.id, frame.direction, frame.text, false).dataset.id = frame.id;
  }
  lastId = frame.id;
  save("last_id", lastId);
}

function socketUrl() {
  const url = new URL(`/widget/${inbox}/socket`, location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  if (visitor) url.searchParams.set("visitor", visitor);
  if (lastId) url.searchParams.set("after", lastId);
  for (const name of ["user_id", "user_hash"]) if (params.get(name)) url.searchParams.set(name, params.get(name));
  return url;
}

function connect() {
  setState(root.dataset.state === "offline" ? "offline" : "connecting");
  clearTimeout(offlineTimer);
  offlineTimer = setTimeout(() => { if (root.dataset.state !== "connected") setState("offline"); }, OFFLINE_AFTER_MS);
  socket = new WebSocket(socketUrl());
  socket.addEventListener("message", (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type === "hello") {
      if (frame.visitor) { visitor = frame.visitor; save("visitor", visitor); }
    } else if (frame.type === "ready") {
      backoff = 500;
      clearTimeout(offlineTimer);
      setState("connected");
      for (const item of outbox) socket.send(JSON.stringify({ type: "message", ...item }));
    } else if (frame.type === "message") {
      receive(frame);
    } else if (frame.type === "ack" || frame.type === "error") {
      outbox = outbox.filter((item) => item.client_id !== frame.client_id);
      save("outbox", outbox);
    }
  });
  socket.addEventListener("close", () => {
    socket = null;
    if (root.dataset.state === "connected") setState("connecting");
    setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  });
}

function contact() {
  const stored = load("contact", {});
  const given = { ...stored };
  for (const name of ["name", "email", "phone"]) if (params.get(name)) given[name] = params.get(name);
  given.language = given.language || lang;
  return given;
}

async function sendOffline(item) {
  const response = await fetch(`/widget/${inbox}/messages`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ...item, visitor }), credentials: "same-origin",
  });
  if (response.ok) {
    outbox = outbox.filter((queued) => queued.client_id !== item.client_id);
    save("outbox", outbox);
    bubble(`c:${item.client_id}`, "inbound", item.text, false);
    document.getElementById("kc-offline").textContent = t("sent_offline");
  }
}

function send(text) {
  const item = { client_id: crypto.randomUUID(), text, contact: contact() };
  outbox.push(item);
  save("outbox", outbox);
  bubble(`c:${item.client_id}`, "inbound", text, true);
  if (socket && socket.readyState === WebSocket.OPEN && root.dataset.state === "connected") {
    socket.send(JSON.stringify({ type: "message", ...item }));
  } else if (root.dataset.state === "offline") {
    sendOffline(item);
  }
}

document.getElementById("kc-compose").addEventListener("submit", (event) => {
  event.preventDefault();
  const field = document.getElementById("kc-text");
  const text = field.value.trim();
  if (!text) return;
  field.value = "";
  send(text);
});
document.getElementById("kc-text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    document.getElementById("kc-compose").requestSubmit();
  }
});

const prechat = document.getElementById("kc-prechat");
prechat.addEventListener("submit", (event) => {
  event.preventDefault();
  const data = new FormData(prechat);
  const value = String(data.get("contact") || "").trim();
  const details = { name: String(data.get("name") || "").trim() || undefined, language: String(data.get("language")) };
  if (value.includes("@")) details.email = value; else if (value) details.phone = value;
  save("contact", details);
  lang = details.language in STRINGS ? details.language : lang;
  translate();
  prechat.hidden = true;
  delete root.dataset.prechat;
  document.getElementById("kc-text").focus();
});
prechat.elements.language.addEventListener("change", (event) => {
  if (STRINGS[event.target.value]) { lang = event.target.value; translate(); }
});

translate();
if (root.dataset.greeting) bubble("greeting", "outbound", root.dataset.greeting, false);
if (!identified && !params.get("name") && !read(storeKey("contact"))) {
  prechat.hidden = false;
  prechat.elements.language.value = lang;
  root.dataset.prechat = "open";
}
for (const item of outbox) bubble(`c:${item.client_id}`, "inbound", item.text, true);
connect();
window.kefuChat = { reconnect: () => socket && socket.close() }; // used by tests and the host's "retry"
