// 起草助手 web chat. Every piece of text from the server or the user is put in the page with
// textContent / createTextNode, never innerHTML, so HTML in a message is shown, not run.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { session: null, versions: [], busy: false };
// The checker's finding kinds a person has to act on (the summary also carries "ok" and "total").
const PROBLEM_KINDS = ["mismatch", "unit", "direction", "unsourced", "stale", "placeholder", "period", "foreign"];

function randomId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function clientId() {
  let id = localStorage.getItem("assistant.client");
  if (!id) {
    id = randomId();
    localStorage.setItem("assistant.client", id);
  }
  return id;
}

function takeTokenFromUrl() {
  const match = location.hash.match(/token=([^&]+)/);
  if (match) {
    localStorage.setItem("assistant.token", decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
}

function headers(extra) {
  const h = Object.assign({ "X-Client-Id": clientId() }, extra || {});
  const token = localStorage.getItem("assistant.token");
  if (token) h["Authorization"] = "Bearer " + token;
  return h;
}

async function api(path, options) {
  const opts = Object.assign({}, options || {});
  opts.headers = headers(opts.headers);
  const response = await fetch(path, opts);
  if (response.status === 401) {
    $("token-box").hidden = false;
    throw new Error("需要访问令牌");
  }
  return response;
}

async function apiJson(path, options) {
  const response = await api(path, options);
  const body = await response.json();
  if (!response.ok && !body.message) throw new Error(body.error || response.statusText);
  return body;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function scrollDown() {
  const box = $("messages");
  box.scrollTop = box.scrollHeight;
}

// A draft reply: one <p> per block; numbers as <span class="num" title="source">, 〔待补〕/〔待核〕
// as <span class="placeholder">.
function renderBlocks(blocks) {
  const wrap = el("div", "draft");
  for (const block of blocks) {
    const p = el("p", block.style);
    for (const piece of block.segments) {
      if (piece.kind === "num") {
        const span = el("span", "num", piece.text);
        span.title = "来源：" + piece.source;
        p.appendChild(span);
      } else if (piece.kind === "placeholder") {
        const span = el("span", "placeholder", piece.text);
        span.title = piece.text.startsWith("〔待补") ? "缺少数据，需补充" : "数字无法对应数据，需核实";
        p.appendChild(span);
      } else {
        p.appendChild(document.createTextNode(piece.text));
      }
    }
    wrap.appendChild(p);
  }
  return wrap;
}

function renderMessage(message, extra) {
  const classes = ["msg", message.role];
  if (message.kind === "error" || message.kind === "question") classes.push(message.kind);
  const box = el("div", classes.join(" "));
  box.dataset.kind = message.kind;
  if (message.blocks) {
    box.appendChild(renderBlocks(message.blocks));
    const meta = el("div", "meta", "第 " + message.version + " 版");
    if (extra && extra.check) {
      const ok = extra.check.ok || 0;
      const problems = PROBLEM_KINDS.reduce((sum, kind) => sum + (extra.check[kind] || 0), 0);
      meta.textContent += " · 已核对数字 " + ok + " 个" + (problems ? "，待处理 " + problems + " 处" : "");
    }
    box.appendChild(meta);
  } else {
    box.textContent = message.text;
  }
  return box;
}

function showMessage(message, extra) {
  $("messages").appendChild(renderMessage(message, extra));
  scrollDown();
}

function setVersions(versions) {
  state.versions = versions;
  const latest = versions[versions.length - 1];
  $("current-version").textContent = latest ? "当前：第 " + latest.number + " 版（" + latest.label + "）" : "尚无草稿";
  $("download-docx").disabled = !latest;
  $("download-clean").disabled = !latest;
  $("download-md").disabled = !latest;
  $("diff").disabled = versions.length < 2;
  for (const id of ["diff-a", "diff-b"]) {
    const select = $(id);
    select.replaceChildren();
    for (const v of versions) {
      const option = el("option", null, "第" + v.number + "版");
      option.value = v.number;
      select.appendChild(option);
    }
  }
  if (versions.length >= 2) {
    $("diff-a").value = versions[versions.length - 2].number;
    $("diff-b").value = latest.number;
  }
}

async function loadFigures() {
  const body = await apiJson("/api/figures");
  const select = $("figures");
  for (const name of body.files) {
    const option = el("option", null, name);
    option.value = name;
    select.appendChild(option);
  }
  if (body.files.length === 1) select.value = body.files[0];
}

async function loadSessions() {
  const body = await apiJson("/api/sessions");
  const list = $("sessions");
  list.replaceChildren();
  for (const s of body.sessions) {
    const item = el("li", s.id === state.session ? "active" : "", s.title || "（新会话）");
    item.title = s.figures ? "数据：" + s.figures : "";
    item.addEventListener("click", () => openSession(s.id));
    list.appendChild(item);
  }
}

async function openSession(id) {
  const body = await apiJson("/api/sessions/" + encodeURIComponent(id));
  state.session = id;
  localStorage.setItem("assistant.session", id);
  $("messages").replaceChildren();
  for (const m of body.messages) showMessage(m);
  setVersions(body.versions);
  if (body.session.unit) $("unit").value = body.session.unit;
  await loadSessions();
}

async function newSession() {
  const body = await apiJson("/api/sessions", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ figures: $("figures").value || null, unit: $("unit").value.trim() || null }),
  });
  if (body.error) throw new Error(body.error);
  await openSession(body.id);
}

async function ensureSession() {
  if (!state.session) await newSession();
}

async function send(text) {
  await ensureSession();
  showMessage({ role: "user", kind: "text", text: text });
  const bubble = el("div", "msg assistant streaming", "");
  $("messages").appendChild(bubble);
  const response = await api("/api/sessions/" + encodeURIComponent(state.session) + "/messages", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ text: text }),
  });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    bubble.replaceWith(renderMessage({ role: "assistant", kind: "error", text: body.error || response.statusText }));
    return;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim()) handleEvent(JSON.parse(line), bubble);
    }
  }
}

function handleEvent(event, bubble) {
  if (event.type === "token") {
    bubble.textContent += event.text;
    scrollDown();
  } else if (event.type === "reply") {
    bubble.replaceWith(renderMessage(event.message, event));
    if (event.version) setVersions(state.versions.concat([event.version]));
    loadSessions();
    scrollDown();
  } else if (event.type === "error") {
    bubble.replaceWith(renderMessage({ role: "assistant", kind: "error", text: event.error }));
  }
}

async function upload(file) {
  await ensureSession();
  const form = new FormData();
  form.append("file", file);
  const body = await apiJson("/api/sessions/" + encodeURIComponent(state.session) + "/upload", {
    method: "POST",
    body: form,
  });
  await openSession(state.session);
  return body;
}

async function download(format) {
  const latest = state.versions[state.versions.length - 1];
  if (!latest) return;
  const path = "/api/sessions/" + encodeURIComponent(state.session) + "/versions/" + latest.number + "/download?format=" + format;
  const response = await api(path);
  if (!response.ok) throw new Error("下载失败");
  const blob = await response.blob();
  const link = el("a");
  link.href = URL.createObjectURL(blob);
  link.download = format === "clean"
    ? "清稿-第" + latest.number + "版.docx"
    : "草稿-第" + latest.number + "版." + format;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

async function showDiff() {
  const a = $("diff-a").value;
  const b = $("diff-b").value;
  const body = await apiJson("/api/sessions/" + encodeURIComponent(state.session) + "/diff?a=" + a + "&b=" + b);
  const box = el("div", "msg assistant");
  box.appendChild(el("div", null, "第" + a + "版 → 第" + b + "版：修改 " + body.summary.changed + " 段，新增 " + body.summary.added + " 段，删除 " + body.summary.removed + " 段，数字变化 " + body.summary.numbers + " 处"));
  const table = el("table", "diff-table");
  const head = el("tr");
  for (const title of ["", "旧文", "新文"]) head.appendChild(el("th", null, title));
  table.appendChild(head);
  const names = { changed: "修改", added: "新增", removed: "删除" };
  for (const change of body.paragraphs) {
    if (change.kind === "unchanged") continue;
    const row = el("tr");
    row.appendChild(el("td", null, names[change.kind]));
    row.appendChild(el("td", null, change.a_text || ""));
    row.appendChild(el("td", null, change.b_text || ""));
    table.appendChild(row);
  }
  for (const n of body.numbers) {
    const row = el("tr");
    row.appendChild(el("td", null, "数字" + names[n.kind]));
    row.appendChild(el("td", null, (n.old || "") + (n.old_source ? "（" + n.old_source + "）" : "")));
    row.appendChild(el("td", null, (n.new || "") + (n.new_source ? "（" + n.new_source + "）" : "")));
    table.appendChild(row);
  }
  box.appendChild(table);
  $("messages").appendChild(box);
  scrollDown();
}

function guard(action) {
  return async (...args) => {
    try {
      await action(...args);
    } catch (error) {
      showMessage({ role: "assistant", kind: "error", text: String(error.message || error) });
    }
  };
}

async function start() {
  takeTokenFromUrl();
  $("composer").addEventListener("submit", guard(async (event) => {
    event.preventDefault();
    const text = $("input").value.trim();
    if (!text || state.busy) return;
    $("input").value = "";
    state.busy = true;
    $("send").disabled = true;
    try {
      await send(text);
    } finally {
      state.busy = false;
      $("send").disabled = false;
    }
  }));
  $("input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("new-session").addEventListener("click", guard(newSession));
  for (const id of ["figures", "unit"]) {
    $(id).addEventListener("change", guard(async () => {
      if (!state.session) return;
      const body = await apiJson("/api/sessions/" + encodeURIComponent(state.session), {
        method: "PATCH",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ figures: $("figures").value || null, unit: $("unit").value.trim() || null }),
      });
      if (body.error) throw new Error(body.error);
    }));
  }
  $("upload").addEventListener("change", guard(async (event) => {
    const file = event.target.files[0];
    if (file) await upload(file);
    event.target.value = "";
  }));
  $("download-docx").addEventListener("click", guard(() => download("docx")));
  $("download-clean").addEventListener("click", guard(() => download("clean")));
  $("download-md").addEventListener("click", guard(() => download("md")));
  $("diff").addEventListener("click", guard(showDiff));
  $("token-save").addEventListener("click", guard(async () => {
    localStorage.setItem("assistant.token", $("token").value.trim());
    $("token-box").hidden = true;
    await boot();
  }));
  await guard(boot)();
}

async function boot() {
  await loadFigures();
  await loadSessions();
  const previous = localStorage.getItem("assistant.session");
  if (previous) {
    try {
      await openSession(previous);
    } catch (error) {
      localStorage.removeItem("assistant.session");
    }
  }
  document.body.dataset.ready = "1";
}

document.addEventListener("DOMContentLoaded", start);
