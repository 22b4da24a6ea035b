/*
 * Treatment-options bot: an embeddable chat widget.
 *
 *   <script src="https://your-bot.example/widget.js" data-server="https://your-bot.example" defer></script>
 *
 * Optional attributes: data-country="UK" (crisis numbers for that country), data-title="...".
 * Plain JavaScript, no dependencies, no request to any host but data-server. Talks to Rasa's REST channel.
 * Everything the bot or the person writes is rendered as text; only links to http(s), **bold** and "- " lists
 * become markup, built with DOM calls (never innerHTML).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__treatmentBotLoaded) return;
  window.__treatmentBotLoaded = true;

  var server = (script.getAttribute("data-server") || new URL(script.src).origin).replace(/\/+$/, "");
  var country = script.getAttribute("data-country") || "";
  var title = script.getAttribute("data-title") || "Treatment questions";
  var STORE = "treatment-bot:" + server;
  var NOTICE =
    "I share general information from one 2019 Health Rising article about ketamine, Spravato, " +
    "dextromethorphan and memantine. It is not medical advice: please talk to your doctor. " +
    "In a crisis, call or text 988 (US) or your local emergency number.";

  // ---------- state kept across page reloads ----------
  function load() {
    try {
      var saved = JSON.parse(localStorage.getItem(STORE) || "null");
      if (saved && saved.sender && Array.isArray(saved.messages)) return saved;
    } catch (e) { /* unreadable storage: start fresh */ }
    return { sender: newSender(), messages: [], open: false };
  }
  function save() {
    try { localStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* storage full or blocked */ }
  }
  function newSender() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return "web-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  var state = load();

  // ---------- safe rendering ----------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }
  function safeUrl(candidate) {
    try {
      var url = new URL(candidate);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) { return null; }
  }
  // Inline text: http(s) links and **bold**; anything else stays text. `linkLabel` replaces a link's text.
  function inline(text, linkLabel) {
    var parts = [];
    var pattern = /(\*\*([^*]+)\*\*)|(https?:\/\/[^\s<>"')]+[^\s<>"').,;:!?])/g;
    var last = 0, match;
    while ((match = pattern.exec(text)) !== null) {
      if (match.index > last) parts.push(document.createTextNode(text.slice(last, match.index)));
      if (match[1]) {
        parts.push(el("strong", {}, [match[2]]));
      } else {
        var href = safeUrl(match[3]);
        parts.push(href ? el("a", { href: href, target: "_blank", rel: "noopener noreferrer" },
                             [linkLabel || match[3]])
                        : document.createTextNode(match[3]));
      }
      last = pattern.lastIndex;
    }
    if (last < text.length) parts.push(document.createTextNode(text.slice(last)));
    return parts;
  }
  // Blocks: paragraphs, "- " lists, and a "Source:" line shown as a source link.
  function render(text) {
    var box = el("div", { "class": "tb-text" });
    text.split(/\n/).reduce(function (list, line) {
      if (/^\s*-\s+/.test(line)) {
        if (!list) { list = el("ul"); box.appendChild(list); }
        list.appendChild(el("li", {}, inline(line.replace(/^\s*-\s+/, ""))));
        return list;
      }
      if (line.trim()) {
        var source = /^Sources?:/.test(line);
        var p = el("p", source ? { "class": "tb-source" } : {},
                   inline(line, source ? "Read the article (opens in a new tab)" : null));
        box.appendChild(p);
      }
      return null;
    }, null);
    return box;
  }

  // ---------- the widget ----------
  var css = el("link", { rel: "stylesheet", href: new URL("widget.css", script.src).href });
  document.head.appendChild(css);

  var launcher = el("button", { type: "button", "class": "tb-launcher", "aria-expanded": "false",
                                "aria-controls": "tb-panel" }, ["Questions about ketamine? Chat"]);
  var log = el("div", { "class": "tb-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
                        "aria-label": "Conversation", tabindex: "0" });
  var typing = el("div", { "class": "tb-typing", "aria-hidden": "true", hidden: "" }, ["The bot is typing…"]);
  var status = el("div", { "class": "tb-status", role: "status" });
  var input = el("textarea", { id: "tb-input", rows: "2", maxlength: "2000", "class": "tb-input",
                               placeholder: "Type your question" });
  var send = el("button", { type: "submit", "class": "tb-send" }, ["Send"]);
  var form = el("form", { "class": "tb-form" }, [
    el("label", { "for": "tb-input", "class": "tb-visually-hidden" }, ["Your question"]), input, send]);
  // Deletes the conversation on the server ("forget me") and on this device.
  var restart = el("button", { type: "button", "class": "tb-restart" }, ["Delete chat"]);
  var close = el("button", { type: "button", "class": "tb-close", "aria-label": "Close chat" }, ["×"]);
  var notice = el("p", { "class": "tb-notice", id: "tb-notice" }, [NOTICE]);
  var panel = el("div", { id: "tb-panel", "class": "tb-panel", role: "dialog", "aria-modal": "false",
                          "aria-labelledby": "tb-title", "aria-describedby": "tb-notice", hidden: "" }, [
    el("div", { "class": "tb-header" }, [el("h2", { id: "tb-title" }, [title]), restart, close]),
    notice, log, typing, status, form]);
  var root = el("div", { "class": "tb-root" }, [launcher, panel]);
  document.body.appendChild(root);

  function showMessage(message, fromHistory) {
    var who = message.from === "user" ? "You" : "Bot";
    var item = el("div", { "class": "tb-msg tb-" + message.from }, [
      el("span", { "class": "tb-visually-hidden" }, [who + ": "]), render(message.text || "")]);
    if (message.buttons && message.buttons.length) {
      var group = el("div", { "class": "tb-buttons", role: "group", "aria-label": "Suggested replies" });
      message.buttons.forEach(function (button) {
        var b = el("button", { type: "button", "class": "tb-quick" }, [button.title]);
        if (message.used) b.disabled = true;
        b.addEventListener("click", function () {
          group.querySelectorAll("button").forEach(function (other) { other.disabled = true; });
          message.used = true;
          save();
          ask(button.payload, button.title);
        });
        group.appendChild(b);
      });
      item.appendChild(group);
    }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    if (!fromHistory) save();
  }

  var pending = null;
  function ask(payload, shown) {
    var text = (shown || payload).trim();
    if (!payload.trim()) return;
    state.messages.push({ from: "user", text: text });
    showMessage(state.messages[state.messages.length - 1]);
    post(payload);
  }
  function post(payload) {
    pending = payload;
    status.textContent = "";
    typing.hidden = false;
    send.disabled = true;
    var body = { sender: state.sender, message: payload };
    if (country) body.metadata = { country: country };
    fetch(server + "/webhooks/rest/webhook", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (replies) {
      pending = null;
      replies = replies || [];
      // "forget me": the server has deleted the conversation, so this device forgets it too.
      if (replies.some(function (reply) { return reply.custom && reply.custom.forget_me; })) clearConversation();
      replies.forEach(function (reply) {
        if (!reply.text && !(reply.buttons || []).length) return;  // an instruction, not a message
        var message = { from: "bot", text: reply.text || "", buttons: reply.buttons || [] };
        state.messages.push(message);
        showMessage(message);
      });
    }).catch(function () {
      var retry = el("button", { type: "button", "class": "tb-retry" }, ["Try again"]);
      status.textContent = "Sorry, I can't reach the server right now. If you are in crisis, call or text 988 " +
                           "(US) or your local emergency number. ";
      status.appendChild(retry);
      retry.addEventListener("click", function () { if (pending) post(pending); });
    }).then(function () {
      typing.hidden = true;
      send.disabled = false;
    });
  }

  function setOpen(open) {
    state.open = open;
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    save();
    if (open) input.focus(); else launcher.focus();
  }
  launcher.addEventListener("click", function () { setOpen(panel.hidden); });
  close.addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (event) { if (event.key === "Escape") setOpen(false); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    if (text.trim()) ask(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  function clearConversation() {
    state = { sender: newSender(), messages: [], open: true };
    log.textContent = "";
    save();
  }
  restart.addEventListener("click", function () {
    fetch(server + "/webhooks/rest/webhook", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: state.sender, message: "/forget_me" }) }).catch(function () {});
    clearConversation();
    status.textContent = "Conversation deleted.";
    input.focus();
  });

  state.messages.forEach(function (message) { showMessage(message, true); });
  if (state.open) { panel.hidden = false; launcher.setAttribute("aria-expanded", "true"); }
})();
