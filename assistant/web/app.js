// 起草助手 web chat. Every piece of text from the server or the user is put in the page with
// textContent / createTextNode, never innerHTML, so HTML in a message is shown, not run.
// Whatever goes wrong, the person reads a Chinese sentence: the server's {"error": …}, or one of
// ours; a raw JavaScript error text never reaches the page (it goes to the console).
"use strict";

const $ = (id) => document.getElementById(id);
const state = { session: null, versions: [], busy: false, messages: 0 };
// The checker's finding kinds a person has to act on (the summary also carries "ok" and "total").
const PROBLEM_KINDS = ["mismatch", "unit", "direction", "unsourced", "stale", "placeholder", "period", "foreign"];

// An error meant for people: its message is shown as it is.
class UserError extends Error {}

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
  let response;
  try {
    response = await fetch(path, opts);
  } catch (error) {
    console.error(error);
    throw new UserError("连接不上服务器：请确认起草助手仍在运行，稍后再试");
  }
  if (response.status === 401) {
    $("token-box").hidden = false;
    throw new UserError("需要访问令牌：请在上方输入后点“确定”");
  }
  return response;
}

// The JSON body of a response; a body that is not JSON becomes a sentence with the status.
async function readJson(response) {
  try {
    return await response.json();
  } catch (error) {
    console.error(error);
    throw new UserError("服务器的答复无法识别（HTTP " + response.status + "），请重试");
  }
}

async function apiJson(path, options) {
  const response = await api(path, options);
  const body = await readJson(response);
  if (!response.ok && !body.message) throw new UserError(body.error || "请求失败（HTTP " + response.status + "）");
  return body;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function scrollDown() {
  const box = $("conversation");
  box.scrollTop = box.scrollHeight;
}

// The source of a number (or what a mark needs) in a popover, opened by click, tap or keyboard
// focus, closed by Escape, leaving the number or clicking elsewhere.
function showPopover(anchor) {
  const pop = $("popover");
  pop.textContent = anchor.dataset.where;
  pop.hidden = false;
  anchor.setAttribute("aria-describedby", "popover");
  const rect = anchor.getBoundingClientRect();
  const width = pop.offsetWidth;
  pop.style.left = Math.max(8, Math.min(rect.left, window.innerWidth - width - 8)) + "px";
  const below = rect.bottom + 6;
  pop.style.top = (below + pop.offsetHeight > window.innerHeight ? rect.top - pop.offsetHeight - 6 : below) + "px";
  state.popoverFor = anchor;
}

function hidePopover() {
  if (state.popoverFor) state.popoverFor.removeAttribute("aria-describedby");
  state.popoverFor = null;
  $("popover").hidden = true;
}

function sourced(className, text, where) {
  const span = el("span", className, text);
  span.dataset.where = where;
  span.tabIndex = 0;
  span.setAttribute("role", "button");
  span.addEventListener("focus", () => showPopover(span));
  span.addEventListener("blur", hidePopover);
  span.addEventListener("click", (event) => {
    event.stopPropagation();
    showPopover(span);
  });
  return span;
}

// A draft reply: one <p> per block; numbers and 〔待补〕/〔待核〕 marks open their popover.
function renderBlocks(blocks) {
  const wrap = el("div", "draft");
  for (const block of blocks) {
    const p = el("p", block.style);
    for (const piece of block.segments) {
      if (piece.kind === "num") {
        p.appendChild(sourced("num", piece.text, piece.where.join(" · ")));
      } else if (piece.kind === "placeholder") {
        const need = piece.text.startsWith("〔待补") ? "数据文件缺这一项，需补充后重新起草" : "这个数字在数据文件中找不到，需核实";
        p.appendChild(sourced("placeholder", piece.text, need));
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

function setWelcome() {
  $("welcome").hidden = state.messages > 0;
}

function showMessage(message, extra) {
  $("messages").appendChild(renderMessage(message, extra));
  state.messages += 1;
  setWelcome();
  scrollDown();
}

function setVersions(versions) {
  state.versions = versions;
  const latest = versions[versions.length - 1];
  $("current-version").textContent = latest ? "当前：第 " + latest.number + " 版（" + latest.label + "）" : "尚无草稿";
  $("download-docx").disabled = !latest;
  $("download-clean").disabled = !latest;
  $("download-md").disabled = !latest;
  $("diff-tools").hidden = versions.length < 2;
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

// What the conversation works with, shown above it: the session's own figures file and unit
// (before there is a session, what is picked in the sidebar).
function setContext(figures, unit) {
  $("context-figures").textContent = figures || "未选择";
  $("context-unit").textContent = unit || "未填写";
  const select = $("figures");
  const offered = Array.from(select.options).some((o) => o.value && o.value === figures);
  let uploaded = $("figures-uploaded");
  if (figures && !offered) {
    if (!uploaded) {
      uploaded = el("option");
      uploaded.id = "figures-uploaded";
      uploaded.value = "";
      select.appendChild(uploaded);
    }
    uploaded.textContent = "本会话上传：" + figures;
    select.value = "";
    uploaded.selected = true;
  } else {
    if (uploaded) uploaded.remove();
    select.value = figures || "";
  }
}

async function loadFigures() {
  const body = await apiJson("/api/figures");
  const select = $("figures");
  select.replaceChildren(el("option", null, "（请选择）"));
  select.options[0].value = "";
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
    item.addEventListener("click", guard(() => openSession(s.id)));
    list.appendChild(item);
  }
}

async function openSession(id) {
  const body = await apiJson("/api/sessions/" + encodeURIComponent(id));
  state.session = id;
  localStorage.setItem("assistant.session", id);
  hidePopover();
  $("messages").replaceChildren();
  state.messages = 0;
  for (const m of body.messages) showMessage(m);
  setWelcome();
  setVersions(body.versions);
  $("unit").value = body.session.unit || "";
  setContext(body.session.figures, body.session.unit);
  await loadSessions();
}

async function newSession() {
  const body = await apiJson("/api/sessions", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ figures: $("figures").value || null, unit: $("unit").value.trim() || null }),
  });
  await openSession(body.id);
}

async function ensureSession() {
  if (!state.session) await newSession();
}

// Change one thing of the session: only the field the person changed is sent, so setting the
// unit never touches the figures file (an uploaded one stays the session's).
async function updateSession(change) {
  if (!state.session) {
    setContext($("figures").value, $("unit").value.trim());
    return;
  }
  const body = await apiJson("/api/sessions/" + encodeURIComponent(state.session), {
    method: "PATCH",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(change),
  });
  setContext(body.figures, body.unit);
}

async function send(text) {
  await ensureSession();
  showMessage({ role: "user", kind: "text", text: text });
  const bubble = el("div", "msg assistant streaming", "正在起草…");
  $("messages").appendChild(bubble);
  scrollDown();
  try {
    await stream(text, bubble);
  } catch (error) {
    bubble.remove();
    throw error;
  }
  if (bubble.isConnected) {
    bubble.remove();
    throw new UserError("答复中断了，请重试");
  }
}

async function stream(text, bubble) {
  const response = await api("/api/sessions/" + encodeURIComponent(state.session) + "/messages", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ text: text }),
  });
  if (!response.ok) {
    const body = await readJson(response);
    throw new UserError(body.error || "请求失败（HTTP " + response.status + "）");
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let started = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (!line.trim()) continue;
      const event = JSON.parse(line);
      if (event.type === "token" && !started) {
        bubble.textContent = "";
        started = true;
      }
      handleEvent(event, bubble);
    }
  }
}

function handleEvent(event, bubble) {
  if (event.type === "token") {
    bubble.textContent += event.text;
    scrollDown();
  } else if (event.type === "reply") {
    bubble.replaceWith(renderMessage(event.message, event));
    state.messages += 1;
    if (event.version) setVersions(state.versions.concat([event.version]));
    loadSessions().catch((error) => console.error(error));
    scrollDown();
  } else if (event.type === "error") {
    bubble.replaceWith(renderMessage({ role: "assistant", kind: "error", text: event.error }));
  }
}

async function upload(file) {
  await ensureSession();
  $("upload-name").textContent = file.name;
  const form = new FormData();
  form.append("file", file);
  await sendUpload("/upload", form, "正在上传并检查 " + file.name + " …");
}

// 科室 material: one or several files in one upload; the reply lists the items found
async function uploadItems(files) {
  await ensureSession();
  const names = files.map((f) => f.name).join("、");
  $("items-upload-name").textContent = names;
  const form = new FormData();
  for (const file of files) form.append("files", file);
  await sendUpload("/items/upload", form, "正在上传并读取科室材料 " + names + " …");
}

// Both uploads: a pending line while the server reads, then the session as it now is
async function sendUpload(path, form, pendingText) {
  const pending = el("div", "msg assistant streaming", pendingText);
  $("messages").appendChild(pending);
  scrollDown();
  try {
    await apiJson("/api/sessions/" + encodeURIComponent(state.session) + path, {
      method: "POST",
      body: form,
    });
  } finally {
    pending.remove();
  }
  await openSession(state.session);
}

async function download(format) {
  const latest = state.versions[state.versions.length - 1];
  if (!latest) return;
  const path = "/api/sessions/" + encodeURIComponent(state.session) + "/versions/" + latest.number + "/download?format=" + format;
  const response = await api(path);
  if (!response.ok) throw new UserError((await readJson(response)).error || "下载失败，请重试");
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

// One side of a changed paragraph: its unchanged text plain, what the old version had and the
// new lost struck through (<del>), what the new one added underlined (<ins>), as `assistant diff`
// marks them in the terminal. A whole paragraph added or removed is one span of its own kind.
function diffCell(change, side) {
  const cell = el("td");
  const text = side === "a" ? change.a_text : change.b_text;
  if (!text) return cell;
  const mine = side === "a" ? "delete" : "insert";
  const spans = change.kind === "changed" && change.spans.length ? change.spans : [{ op: mine, text: text }];
  for (const span of spans) {
    if (span.op === "equal") cell.appendChild(document.createTextNode(span.text));
    else if (span.op === mine) cell.appendChild(el(side === "a" ? "del" : "ins", "diff-" + mine, span.text));
  }
  return cell;
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
    row.appendChild(diffCell(change, "a"));
    row.appendChild(diffCell(change, "b"));
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
      if (!(error instanceof UserError)) console.error(error);
      const text = error instanceof UserError ? error.message : "出了点问题，请重试；如果反复出现，请刷新页面";
      showMessage({ role: "assistant", kind: "error", text: text });
    }
  };
}

async function submit(text) {
  if (!text || state.busy) return;
  state.busy = true;
  $("send").disabled = true;
  try {
    await send(text);
  } finally {
    state.busy = false;
    $("send").disabled = false;
  }
}

async function start() {
  takeTokenFromUrl();
  $("composer").addEventListener("submit", guard(async (event) => {
    event.preventDefault();
    const text = $("input").value.trim();
    $("input").value = "";
    await submit(text);
  }));
  $("input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  for (const button of document.querySelectorAll("#welcome .example")) {
    button.addEventListener("click", guard(() => submit(button.textContent)));
  }
  document.addEventListener("click", hidePopover);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") hidePopover();
  });
  $("conversation").addEventListener("scroll", hidePopover);
  $("new-session").addEventListener("click", guard(async () => {
    state.session = null;
    await newSession();
  }));
  $("figures").addEventListener("change", guard(() => {
    const name = $("figures").value;
    return name ? updateSession({ figures: name }) : null;
  }));
  $("unit").addEventListener("change", guard(() => updateSession({ unit: $("unit").value.trim() })));
  $("upload").addEventListener("change", guard(async (event) => {
    const file = event.target.files[0];
    event.target.value = "";
    if (file) await upload(file);
  }));
  $("items-upload").addEventListener("change", guard(async (event) => {
    const files = Array.from(event.target.files);
    event.target.value = "";
    if (files.length) await uploadItems(files);
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
  setWelcome();
  document.body.dataset.ready = "1";
}

async function boot() {
  await loadFigures();
  await loadSessions();
  const previous = localStorage.getItem("assistant.session");
  if (previous) {
    try {
      await openSession(previous);
    } catch (error) {
      console.error(error);
      localStorage.removeItem("assistant.session");
    }
  }
  if (!state.session) setContext($("figures").value, $("unit").value.trim());
}

document.addEventListener("DOMContentLoaded", start);
