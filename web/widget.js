/*
 * Treatment-options bot: an embeddable chat widget.
 *
 *   <script src="https://your-bot.example/widget.js" data-server="https://your-bot.example" defer></script>
 *
 * Optional attributes: data-country="UK" (crisis numbers for that country), data-title="...".
 * Plain JavaScript, no dependencies, no request to any host but data-server. Talks to Rasa's REST channel.
 * Everything the bot or the person writes is rendered as text; only links to http(s), **bold** and "- " lists
 * become markup, built with DOM calls (never innerHTML).
 *
 * An answer arrives as its plain `text`, then a {"custom": {"reply": R}} with the same answer in parts (lead,
 * facts with their evidence, citation, disclaimer): the widget shows R compactly in place of the text, and shows
 * the text of any reply without R. Around each answer: "Add to my questions" (a list for the doctor, kept on this
 * device only), thumbs up/down (sent to /webhooks/feedback/ with the fact ids and intent, never the text), and in
 * low-energy mode only the lead and one fact, the rest behind "Tell me more".
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__treatmentBotLoaded) return;
  window.__treatmentBotLoaded = true;

  var server = (script.getAttribute("data-server") || new URL(script.src).origin).replace(/\/+$/, "");
  var country = script.getAttribute("data-country") || "";
  var title = script.getAttribute("data-title") || "Treatment questions";
  var STORE = "treatment-bot:" + server;          // the conversation and the question list ("Delete chat" clears)
  var PREFS = "treatment-bot-prefs:" + server;    // low-energy mode: a preference, kept when a chat is deleted
  var NOTICE =
    "I share general information from one 2019 Health Rising article about ketamine, Spravato, " +
    "dextromethorphan and memantine. It is not medical advice: please talk to your doctor. " +
    "In a crisis, call or text 988 (US) or your local emergency number.";
  var CRISIS_NUMBER = { US: "988", CA: "988", UK: "999", GB: "999", IE: "112", AU: "000", NZ: "111" };
  var NOTICE_LINE = "General information, not medical advice. In a crisis: " +
    (country ? CRISIS_NUMBER[country.toUpperCase()] || "your local emergency number" : "988");
  // Replies that answer a question: they get "Add to my questions" and thumbs up/down.
  var ANSWER_KINDS = ["answer", "partly_covered", "not_covered", "advice", "more"];
  var REASONS = [["not-what-i-asked", "Not what I asked"], ["wrong-topic", "Wrong topic"],
                 ["hard-to-read", "Hard to read"], ["something-else", "Something else"]];
  var MORE = "/more";

  // ---------- state kept across page reloads ----------
  function load() {
    try {
      var saved = JSON.parse(localStorage.getItem(STORE) || "null");
      if (saved && saved.sender && Array.isArray(saved.messages)) {
        if (!Array.isArray(saved.questions)) saved.questions = [];
        return saved;
      }
    } catch (e) { /* unreadable storage: start fresh */ }
    return fresh(false);
  }
  function fresh(open) { return { sender: newSender(), messages: [], questions: [], open: open }; }
  function save() {
    try { localStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* storage full or blocked */ }
  }
  function loadPrefs() {
    try { return JSON.parse(localStorage.getItem(PREFS) || "null") || {}; } catch (e) { return {}; }
  }
  function savePrefs() {
    try { localStorage.setItem(PREFS, JSON.stringify(prefs)); } catch (e) { /* storage full or blocked */ }
  }
  function newSender() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return "web-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  var state = load();
  var prefs = loadPrefs();
  var counter = 0;
  function uid(prefix) { counter += 1; return "tb-" + prefix + "-" + counter; }

  // ---------- safe rendering ----------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }
  function button(label, cls, attrs) {
    var b = el("button", Object.assign({ type: "button", "class": cls }, attrs || {}), [label]);
    return b;
  }
  function safeUrl(candidate) {
    try {
      var url = new URL(candidate);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) { return null; }
  }
  function link(href, label) {
    var safe = safeUrl(href);
    return safe ? el("a", { href: safe, target: "_blank", rel: "noopener noreferrer" }, [label]) : null;
  }
  function str(value) { return typeof value === "string" ? value : ""; }
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
        parts.push(link(match[3], linkLabel || match[3]) || document.createTextNode(match[3]));
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

  // ---------- the structured reply ----------
  function facts(reply) { return Array.isArray(reply.facts) ? reply.facts.filter(function (f) { return f && f.text; }) : []; }
  function citationText(c) {
    c = c || {};
    var parts = [[str(c.author), str(c.publisher)].filter(Boolean).join(", "), str(c.published)].filter(Boolean);
    var line = parts.join(", ");
    var sections = (c.sections || []).filter(function (s) { return typeof s === "string"; });
    var where = str(c.where);  // how the bot names them ("section ..."; the unheaded opening as "its opening paragraphs")
    if (where) line += (line ? ". " : "") + where.charAt(0).toUpperCase() + where.slice(1);
    else if (sections.length) line += (line ? ". " : "") + "Section" + (sections.length > 1 ? "s " : " ") +
      sections.map(function (s) { return "\u201c" + s + "\u201d"; }).join(", ");
    var cites = (c.cites || []).filter(function (s) { return typeof s === "string" && s; });
    if (cites.length) line += ", citing " + cites.join(" and ");
    return line ? line + "." : "";
  }
  function hiddenFacts(message) {
    return prefs.lowEnergy && !message.revealed ? Math.max(0, facts(message.reply).length - 1) : 0;
  }
  // An evidence badge: plain words, and the full note on focus, on hover or on a tap (aria-describedby for
  // screen readers).
  function badge(fact) {
    var label = str(fact.evidence_label) || str(fact.evidence).replace(/-/g, " ");
    if (!label) return null;
    var noteId = uid("note");
    var note = el("span", { "class": "tb-badge-note", id: noteId, role: "note", hidden: "" },
                  [str(fact.evidence_note) || "How strong the evidence is: " + label + "."]);
    var b = button(label, "tb-badge", { "aria-expanded": "false", "aria-describedby": noteId,
                                        title: "How strong is this?" });
    function show(open) { note.hidden = !open; b.setAttribute("aria-expanded", String(open)); }
    b.addEventListener("focus", function () { show(true); });
    b.addEventListener("blur", function () { show(false); });
    b.addEventListener("click", function () { show(note.hidden); });
    return el("span", { "class": "tb-evidence" }, [el("span", { "class": "tb-visually-hidden" }, ["Evidence: "]), b, note]);
  }
  function renderReply(message) {
    var reply = message.reply;
    var box = el("div", { "class": "tb-answer tb-kind-" + str(reply.kind).replace(/[^a-z_]/g, "") });
    if (str(reply.safety)) box.appendChild(el("div", { "class": "tb-safety" }, [render(reply.safety)]));
    var lead = [str(reply.acknowledgement), str(reply.lead)].filter(Boolean).join(" ");
    if (lead) box.appendChild(el("p", { "class": "tb-lead" }, inline(lead)));
    var list = facts(reply);
    var hide = hiddenFacts(message);
    if (list.length) {
      var ul = el("ul", { "class": "tb-facts" });
      list.forEach(function (fact, i) {
        var li = el("li", { "class": "tb-fact" }, [el("span", { "class": "tb-fact-text" }, inline(fact.text)), " ",
                                                   badge(fact)]);
        if (i > 0 && i >= list.length - hide) li.hidden = true;
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    if (str(reply.gap)) box.appendChild(el("p", { "class": "tb-gap" }, inline(reply.gap)));
    (Array.isArray(reply.notes) ? reply.notes : []).forEach(function (note) {
      if (str(note)) box.appendChild(el("p", { "class": "tb-gap tb-note" }, inline(note)));
    });
    if (str(reply.dated)) box.appendChild(el("p", { "class": "tb-dated" }, [reply.dated]));
    if (reply.citation && (reply.citation.url || reply.citation.publisher)) box.appendChild(sourceChip(reply.citation));
    if (str(reply.disclaimer)) box.appendChild(el("p", { "class": "tb-disclaimer" }, [reply.disclaimer]));
    return box;
  }
  // The source as a small chip that opens the full citation and the link to the passage.
  function sourceChip(c) {
    var id = uid("cite");
    var year = (str(c.published).match(/\d{4}/) || [""])[0];
    var chip = button("Source: " + [str(c.publisher) || "the article", year].filter(Boolean).join(", "), "tb-chip",
                      { "aria-expanded": "false", "aria-controls": id });
    var passage = link(c.passage_url || c.url, "Read the passage (opens in a new tab)");
    var whole = c.passage_url && c.passage_url !== c.url ? link(c.url, "The whole article") : null;
    var full = el("div", { "class": "tb-citation tb-source", id: id, hidden: "" }, [
      el("p", {}, [citationText(c)]),
      el("p", { "class": "tb-links" }, [passage, whole ? " \u00b7 " : null, whole])]);
    chip.addEventListener("click", function () {
      full.hidden = !full.hidden;
      chip.setAttribute("aria-expanded", String(!full.hidden));
    });
    return el("div", { "class": "tb-cite" }, [chip, full]);
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
  // Deletes the conversation on the server ("forget me") and on this device, with the question list.
  var restart = button("Delete chat", "tb-restart");
  var close = button("×", "tb-close", { "aria-label": "Close chat" });
  var listButton = button("My questions", "tb-tool tb-list-button", { "aria-expanded": "false",
                                                                       "aria-controls": "tb-questions" });
  var energy = button("Low energy", "tb-tool tb-energy", { "aria-pressed": "false" });
  // The notice: in full before the first message, then one line that opens it again.
  var noticeFull = el("p", { "class": "tb-notice-full", id: "tb-notice" }, [NOTICE]);
  var noticeLine = button(NOTICE_LINE, "tb-notice-line", { "aria-expanded": "false", "aria-controls": "tb-notice" });
  var notice = el("div", { "class": "tb-notice" }, [noticeLine, noticeFull]);
  var questions = el("section", { id: "tb-questions", "class": "tb-questions", "aria-labelledby": "tb-q-title",
                                  hidden: "" });
  var panel = el("div", { id: "tb-panel", "class": "tb-panel", role: "dialog", "aria-modal": "false",
                          "aria-labelledby": "tb-title", "aria-describedby": "tb-notice", hidden: "" }, [
    el("div", { "class": "tb-header" }, [el("h2", { id: "tb-title" }, [title]), restart, close]),
    el("div", { "class": "tb-toolbar" }, [listButton, energy]),
    notice, log, questions, typing, status, form]);
  var root = el("div", { "class": "tb-root" }, [launcher, panel]);
  document.body.appendChild(root);

  function foldNotice(folded) {
    noticeLine.hidden = !folded && !state.messages.length;
    noticeFull.hidden = folded;
    noticeLine.setAttribute("aria-expanded", String(!folded));
  }
  noticeLine.addEventListener("click", function () { foldNotice(!noticeFull.hidden); });
  function resetNotice() {
    if (state.messages.length) foldNotice(true); else { noticeLine.hidden = true; noticeFull.hidden = false; }
  }

  // ---------- messages ----------
  function showMessage(message, fromHistory) {
    var item = messageNode(message);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    if (!fromHistory) save();
  }
  function messageNode(message) {
    var who = message.from === "user" ? "You" : "Bot";
    var body = message.reply ? renderReply(message) : render(message.text || "");
    var item = el("div", { "class": "tb-msg tb-" + message.from }, [
      el("span", { "class": "tb-visually-hidden" }, [who + ": "]), body]);
    var buttons = (message.buttons || []).slice();
    var lowEnergyMore = message.reply && hiddenFacts(message) > 0;
    if (lowEnergyMore && !buttons.some(function (b) { return b.payload === MORE; })) {
      buttons.unshift({ title: "Tell me more", payload: MORE });
    }
    if (buttons.length) {
      var group = el("div", { "class": "tb-buttons", role: "group", "aria-label": "Suggested replies" });
      buttons.forEach(function (choice) {
        var b = button(choice.title, "tb-quick");
        if (message.used) b.disabled = true;
        b.addEventListener("click", function () {
          // Low energy: "Tell me more" first shows the facts already here, then asks the server for more.
          if (choice.payload === MORE && hiddenFacts(message) > 0) {
            message.revealed = true;
            save();
            var shown = item.querySelectorAll(".tb-fact[hidden]");
            shown.forEach(function (li) { li.hidden = false; });
            shown[0].setAttribute("tabindex", "-1");  // the reader goes on where the new facts start
            shown[0].focus();
            return;
          }
          group.querySelectorAll("button").forEach(function (other) { other.disabled = true; });
          message.used = true;
          save();
          ask(choice.payload, choice.title);
        });
        group.appendChild(b);
      });
      item.appendChild(group);
    }
    if (message.reply && ANSWER_KINDS.indexOf(message.reply.kind) >= 0) item.appendChild(answerTools(message));
    return item;
  }
  function rerenderLog() {
    log.textContent = "";
    state.messages.forEach(function (message) { showMessage(message, true); });
  }

  // "Add to my questions" and thumbs up/down under an answer.
  function answerTools(message) {
    var tools = el("div", { "class": "tb-tools" });
    var add = button(message.added ? "Added to my questions" : "Add to my questions", "tb-add");
    if (message.added) add.disabled = true;
    add.addEventListener("click", function () {
      addQuestion(message);
      add.textContent = "Added to my questions";
      add.disabled = true;
      say("Added to your questions for the doctor (" + state.questions.length + ").");
    });
    // Words, not emoji: every system font has them, and they say what they do.
    var up = button("Helpful", "tb-vote tb-up", { "aria-pressed": "false" });
    var down = button("Not helpful", "tb-vote tb-down", { "aria-pressed": "false" });
    var reasons = el("div", { "class": "tb-reasons", role: "group", "aria-label": "What was wrong? (optional)",
                              hidden: "" });
    function voted(vote) {
      (vote === "up" ? up : down).setAttribute("aria-pressed", "true");
      up.disabled = down.disabled = true;
    }
    if (message.vote) voted(message.vote);
    function submit(vote, reason) {
      message.vote = vote;
      save();
      voted(vote);
      reasons.hidden = true;
      sendFeedback(message.reply, vote, reason);
      say("Thank you for the feedback.");
      add.focus();
    }
    up.addEventListener("click", function () { submit("up", null); });
    down.addEventListener("click", function () {
      reasons.hidden = false;
      down.setAttribute("aria-expanded", "true");
      reasons.querySelector("button").focus();
    });
    REASONS.forEach(function (pair) {
      var b = button(pair[1], "tb-reason");
      b.addEventListener("click", function () { submit("down", pair[0]); });
      reasons.appendChild(b);
    });
    var skip = button("Skip", "tb-reason");
    skip.addEventListener("click", function () { submit("down", null); });
    reasons.appendChild(skip);
    tools.appendChild(add);
    tools.appendChild(el("span", { "class": "tb-votes", role: "group", "aria-label": "Was this helpful?" }, [up, down]));
    tools.appendChild(reasons);
    return tools;
  }
  // Only the vote, the reason, the fact ids, the intent and the kind: never what anyone wrote.
  function sendFeedback(reply, vote, reason) {
    var body = { vote: vote, intent: /^[a-z][a-z0-9_]{0,63}$/.test(str(reply.intent)) ? reply.intent : "unknown",
                 facts: facts(reply).map(function (f) { return f.id; }).filter(Boolean).slice(0, 10) };
    if (reason) body.reason = reason;
    if (ANSWER_KINDS.indexOf(reply.kind) >= 0) body.kind = reply.kind;
    fetch(server + "/webhooks/feedback/", { method: "POST", headers: { "Content-Type": "application/json" },
                                            body: JSON.stringify(body) }).catch(function () { /* best effort */ });
  }
  function say(text) { status.classList.remove("tb-error"); status.textContent = text; }

  // ---------- questions for my doctor ----------
  function addQuestion(message) {
    var reply = message.reply;
    var says = [str(reply.lead)].concat(facts(reply).map(function (f) { return f.text; }), [str(reply.gap)])
      .filter(Boolean).join(" ");
    var c = reply.citation || {};
    state.questions.push({ id: uid("q") + "-" + Date.now(), question: message.asked || "(my question)", says: says,
                           citation: citationText(c), url: safeUrl(c.passage_url || c.url) || "",
                           article: safeUrl(c.url) || "", note: "" });
    message.added = true;
    save();
    updateListButton();
    if (!questions.hidden) renderQuestions();
  }
  function updateListButton() {
    listButton.textContent = "My questions" + (state.questions.length ? " (" + state.questions.length + ")" : "");
  }
  function renderQuestions() {
    questions.textContent = "";
    questions.appendChild(el("h3", { id: "tb-q-title" }, ["Questions for my doctor"]));
    questions.appendChild(el("p", { "class": "tb-q-intro tb-no-print" }, [
      "Kept on this device only. \u201cDelete chat\u201d deletes them. Add a note, then print or copy the list " +
      "to take to your appointment."]));
    var tools = el("div", { "class": "tb-q-tools tb-no-print" });
    var print = button("Print", "tb-tool-dark");
    var copy = button("Copy as text", "tb-tool-dark");
    var back = button("Back to chat", "tb-tool-dark");
    print.addEventListener("click", function () { window.print(); });
    copy.addEventListener("click", copyQuestions);
    back.addEventListener("click", function () { showQuestions(false); });
    [print, copy, back].forEach(function (b) { tools.appendChild(b); });
    if (!state.questions.length) {
      questions.appendChild(el("p", {}, ["No questions yet. Under an answer, choose \u201cAdd to my questions\u201d."]));
      print.disabled = copy.disabled = true;
    }
    var ol = el("ol", { "class": "tb-q-list" });
    state.questions.forEach(function (q, i) {
      var noteId = "tb-q-note-" + i;
      var printed = el("p", { "class": "tb-q-note-print" }, [q.note ? "My note: " + q.note : "My note:"]);
      var note = el("textarea", { id: noteId, rows: "2", maxlength: "1000", "class": "tb-q-note" });
      note.value = q.note || "";
      note.addEventListener("input", function () {
        q.note = note.value;
        printed.textContent = q.note ? "My note: " + q.note : "My note:";
        save();
      });
      var remove = button("Remove", "tb-q-remove tb-no-print", { "aria-label": "Remove question " + (i + 1) });
      remove.addEventListener("click", function () {
        state.questions.splice(i, 1);
        save();
        updateListButton();
        renderQuestions();
        (questions.querySelector(".tb-q-remove") || questions.querySelector("button")).focus();
      });
      var source = null;
      if (q.citation) {
        source = el("p", { "class": "tb-q-source" }, ["Source: " + q.citation + " "]);
        var passage = link(q.url, "Read the passage");
        if (passage) source.appendChild(passage);
        if (q.article) source.appendChild(el("span", { "class": "tb-print-only" }, [q.article]));  // paper: plain URL
      }
      ol.appendChild(el("li", { "class": "tb-q" }, [
        el("p", { "class": "tb-q-question" }, [q.question]),
        el("p", { "class": "tb-q-says" }, [el("span", { "class": "tb-q-label" }, ["What the article says: "]), q.says]),
        source,
        el("label", { "for": noteId, "class": "tb-q-label tb-no-print" }, ["My note"]), note, printed, remove]));
    });
    questions.appendChild(ol);
    questions.appendChild(el("p", { "class": "tb-q-footer" }, [
      "From a 2019 Health Rising article: general information, not medical advice."]));
    questions.appendChild(tools);
  }
  function questionsText() {
    var lines = ["Questions for my doctor", ""];
    state.questions.forEach(function (q, i) {
      lines.push((i + 1) + ". " + q.question);
      lines.push("   What the article says: " + q.says);
      if (q.citation) lines.push("   Source: " + q.citation + (q.url ? " " + q.url : ""));
      lines.push("   My note: " + (q.note || ""));
      lines.push("");
    });
    lines.push("From a 2019 Health Rising article: general information, not medical advice.");
    return lines.join("\n");
  }
  function copyQuestions() {
    var text = questionsText();
    function fallback() {
      var area = el("textarea", { "class": "tb-visually-hidden", "aria-hidden": "true" });
      area.value = text;
      questions.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      questions.removeChild(area);
      say(ok ? "Copied your questions as text." : "Sorry, copying isn't allowed here. Try Print instead.");
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { say("Copied your questions as text."); }, fallback);
    } else {
      fallback();
    }
  }
  function showQuestions(open) {
    questions.hidden = !open;
    [log, form].forEach(function (part) { part.hidden = open; });
    if (open) typing.hidden = true;
    listButton.setAttribute("aria-expanded", String(open));
    document.body.classList.toggle("tb-printing", open);  // the print stylesheet prints only the list
    if (open) {
      renderQuestions();
      questions.querySelector("h3").setAttribute("tabindex", "-1");
      questions.querySelector("h3").focus();
    } else {
      input.focus();
    }
  }
  listButton.addEventListener("click", function () { showQuestions(questions.hidden); });

  // ---------- low-energy mode ----------
  function applyEnergy() {
    root.classList.toggle("tb-low-energy", !!prefs.lowEnergy);
    energy.setAttribute("aria-pressed", String(!!prefs.lowEnergy));
  }
  energy.addEventListener("click", function () {
    prefs.lowEnergy = !prefs.lowEnergy;
    savePrefs();
    applyEnergy();
    rerenderLog();
    say(prefs.lowEnergy ? "Low-energy mode on: shorter answers, larger text." : "Low-energy mode off.");
  });

  // ---------- talking to the server ----------
  var pending = null;
  function ask(payload, shown) {
    var text = (shown || payload).trim();
    if (!payload.trim()) return;
    state.messages.push({ from: "user", text: text });
    showMessage(state.messages[state.messages.length - 1]);
    foldNotice(true);
    post(payload, text);
  }
  // Turns the REST replies into messages: a {"custom": {"reply": R}} takes the place of the text message just
  // before it, and of any earlier text of the same turn that R already holds (its lead, safety lines or
  // disclaimer sent as a bubble of their own), keeping their buttons.
  function messagesFrom(replies, asked) {
    var out = [];
    replies.forEach(function (reply) {
      var structured = reply.custom && reply.custom.reply;
      if (structured && typeof structured === "object") {
        var held = ["safety", "acknowledgement", "lead", "gap", "disclaimer"].map(function (key) {
          return str(structured[key]).trim();
        }).filter(Boolean);
        var merged = { from: "bot", text: "", buttons: [], reply: structured, asked: asked };
        var previous = out[out.length - 1];
        if (previous && !previous.reply) { out.pop(); merged.text = previous.text; merged.buttons = previous.buttons; }
        while (out.length && !out[out.length - 1].reply && held.indexOf(out[out.length - 1].text.trim()) >= 0) {
          merged.buttons = out.pop().buttons.concat(merged.buttons);
        }
        out.push(merged);
        return;
      }
      if (!reply.text && !(reply.buttons || []).length) return;  // an instruction, not a message
      out.push({ from: "bot", text: reply.text || "", buttons: reply.buttons || [], asked: asked });
    });
    return out;
  }
  function post(payload, asked) {
    pending = [payload, asked];
    status.textContent = "";
    typing.hidden = false;
    send.disabled = true;
    var body = { sender: state.sender, message: payload };
    if (country) body.metadata = { country: country };
    fetch(server + "/webhooks/rest/webhook", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (response) {
      if (response.ok) return response.json();
      // The server refused the message (429: too fast; 400/413: malformed or too long): its JSON body says why
      // in a sentence meant for the person, shown as it is.
      return response.json().catch(function () { return {}; }).then(function (error) {
        var failure = new Error("HTTP " + response.status);
        failure.serverMessage = typeof error.message === "string" ? error.message : "";
        throw failure;
      });
    }).then(function (replies) {
      pending = null;
      replies = Array.isArray(replies) ? replies : [];
      // "forget me": the server has deleted the conversation, so this device forgets it too.
      if (replies.some(function (reply) { return reply.custom && reply.custom.forget_me; })) clearConversation();
      messagesFrom(replies, asked).forEach(function (message) {
        state.messages.push(message);
        showMessage(message);
      });
    }).catch(function (failure) {
      var retry = button("Try again", "tb-retry");
      var crisis = "If you are in crisis, call or text 988 (US) or your local emergency number. ";
      status.classList.add("tb-error");
      status.textContent = failure && failure.serverMessage ? failure.serverMessage + " " + crisis
                         : "Sorry, I can't reach the server right now. " + crisis;
      status.appendChild(retry);
      retry.addEventListener("click", function () { if (pending) post(pending[0], pending[1]); });
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
    if (open) input.focus(); else { showQuestions(false); launcher.focus(); }
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
    state = fresh(true);
    log.textContent = "";
    save();
    updateListButton();
    if (!questions.hidden) renderQuestions();
    resetNotice();
  }
  restart.addEventListener("click", function () {
    fetch(server + "/webhooks/rest/webhook", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: state.sender, message: "/forget_me" }) }).catch(function () {});
    clearConversation();
    showQuestions(false);
    status.textContent = "Conversation and your question list deleted.";
  });

  applyEnergy();
  updateListButton();
  resetNotice();
  state.messages.forEach(function (message) { showMessage(message, true); });
  if (state.open) { panel.hidden = false; launcher.setAttribute("aria-expanded", "true"); }
})();
