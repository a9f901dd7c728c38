/* Helpdesk sidebar (/embed/agent): ticket text in by postMessage, suggestions out by postMessage.
 *
 * In:  {type: "supportkb:ticket", subject, text, lang, token, ticket}   token optional (an agent
 *                                                                token), ticket: its reference
 *      {type: "supportkb:auth", token}                           token alone
 *      Chatwoot's dashboard-app context (a JSON string, event "appContext"): its incoming messages
 * Out: {type: "supportkb:ready"}                                 to every allowed origin, on load
 *      {type: "supportkb:insert", kind: "answer"|"link", text, url, slug, title}
 * Messages are accepted only from the origins in EMBED_ORIGINS, and answers go to the origin the
 * ticket came from, never "*". The token stays in memory and travels as an Authorization header.
 * With a token each result has "Used": POST /api/v1/articles/<slug>/used (source "sidebar", the
 * ticket reference and the recommendation's search_id), which the link-rate report counts. */
(function () {
  "use strict";
  var root = document.getElementById("sidebar");
  if (!root) { return; }
  var allowed = JSON.parse(root.getAttribute("data-origins") || "[]");
  var list = document.getElementById("suggestions");
  var status = document.getElementById("sidebar-status");
  var who = document.getElementById("who");
  var input = document.getElementById("sidebar-q");
  var MAX_QUERY = 300;  /* characters of subject + first lines sent as the query */
  var MAX_LINES = 4;
  var parentOrigin = null;
  var token = null;
  var lang = "";
  var ticketRef = "";    /* the helpdesk's ticket reference, if the parent sent one */
  var searchId = null;   /* search_id of the recommendation on screen */
  var MAX_TICKET_REF = 100;
  var seq = 0;

  function say(text) { status.textContent = text; }

  /* The ticket as a search query: the subject and the first lines of the text, trimmed. */
  function ticketQuery(subject, text) {
    var lines = String(text || "").split(/\r?\n/).map(function (line) { return line.trim(); })
      .filter(function (line) { return line && line.charAt(0) !== ">"; }).slice(0, MAX_LINES);
    var query = [String(subject || "").trim()].concat(lines).join(" ").replace(/\s+/g, " ").trim();
    if (query.length > MAX_QUERY) {
      query = query.slice(0, MAX_QUERY);
      var cut = query.lastIndexOf(" ");
      if (cut > MAX_QUERY / 2) { query = query.slice(0, cut); }
    }
    return query;
  }

  /* The one place that asks the server for suggestions (today /api/v1/search on the trimmed text;
   * a recommend endpoint taking the whole ticket can replace it here). Resolves to a list of hits. */
  /* Suggestions for the whole ticket: POST /api/v1/recommend discounts greetings, signatures and
     quoted replies and weighs the sentences that state the problem (docs/api.md). */
  var MAX_TICKET = 20000;
  function suggest(text) {
    var ticket = String(text || "").trim().slice(0, MAX_TICKET);
    if (!ticket) { return Promise.resolve([]); }
    var body = { text: ticket, limit: 5 };
    if (/^[a-z]{2}$/.test(lang)) { body.lang = lang; }
    return fetch("/api/v1/recommend", { method: "POST", headers: jsonHeaders(), credentials: "omit",
                                        body: JSON.stringify(body) })
      .then(function (response) {
        if (response.status === 401 && token) {  /* refused token: go on with public articles */
          token = null;
          showWho();
          return suggest(text);
        }
        return response.json().then(function (answer) {
          if (!response.ok) { throw new Error((answer.error && answer.error.message) || response.statusText); }
          searchId = answer.search_id || null;
          return answer.results;
        });
      });
  }

  function jsonHeaders() {
    var headers = { "Accept": "application/json", "Content-Type": "application/json" };
    if (token) { headers.Authorization = "Bearer " + token; }
    return headers;
  }

  /* "Used for this customer": agents only (the API answers 401 without a token). */
  function used(hit, control) {
    var body = { source: "sidebar", query: input.value.trim().slice(0, 500) || hit.title };
    if (searchId) { body.search_id = searchId; }
    if (ticketRef) { body.ticket = ticketRef; }
    var path = hit.slug.split("/").map(encodeURIComponent).join("/");
    control.disabled = true;
    fetch("/api/v1/articles/" + path + "/used", { method: "POST", headers: jsonHeaders(),
                                                  credentials: "omit", body: JSON.stringify(body) })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status === 401 ? "agents only" : response.statusText); }
        control.textContent = "Recorded";
        say("Recorded: " + hit.title + " used for this customer.");
      })
      .catch(function (error) {
        control.disabled = false;
        say("Could not record: " + error.message);
      });
  }

  function showWho() {
    who.textContent = token ? "Agent view: internal articles included" : "Public articles only";
  }

  function run(text) {
    var mine = ++seq;
    say("Searching...");
    suggest(text).then(function (hits) {
      if (mine !== seq) { return; }
      render(hits);
      say(hits.length ? hits.length + " suggestions" : "No suggestion for this ticket.");
    }).catch(function (error) {
      if (mine === seq) { render([]); say("Suggestions failed: " + error.message); }
    });
  }

  function button(text, label, action) {
    var item = document.createElement("button");
    item.type = "button";
    item.textContent = text;
    item.setAttribute("aria-label", label);
    item.addEventListener("click", action);
    return item;
  }

  function publicUrl(hit) { return new URL(hit.url, window.location.origin).href; }

  function insert(kind, hit) {
    if (!parentOrigin) { say("No helpdesk page to insert into."); return; }
    window.parent.postMessage({
      type: "supportkb:insert", kind: kind, slug: hit.slug, title: hit.title,
      text: kind === "answer" ? (hit.answer || hit.summary) : hit.title,
      url: hit.audience === "internal" ? null : publicUrl(hit)
    }, parentOrigin);
    var done = kind === "answer" ? "Inserted the answer: " + hit.title : "Inserted the link: " + hit.title;
    say(done);
    /* Hosts that take no insert messages (Chatwoot): the text is on the clipboard too, when allowed. */
    var text = kind === "answer" ? (hit.answer || hit.summary) : publicUrl(hit);
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { say(done + " (also copied)"); }, function () {});
    }
  }

  function render(hits) {
    list.textContent = "";
    hits.forEach(function (hit) {
      var item = document.createElement("li");
      item.className = "suggestion" + (hit.audience === "internal" ? " is-internal" : "");
      var title = document.createElement("h2");
      title.className = "suggestion-title";
      title.textContent = hit.title;
      var meta = document.createElement("p");
      meta.className = "suggestion-meta";
      meta.textContent = hit.type + ", Level " + hit.level +
        (hit.audience === "internal" ? " - internal, do not share" : "");
      var answer = document.createElement("p");
      answer.className = "suggestion-answer";
      answer.textContent = hit.answer || hit.summary;
      var actions = document.createElement("div");
      actions.className = "suggestion-actions";
      actions.appendChild(button("Insert answer", "Insert answer: " + hit.title,
                                 function () { insert("answer", hit); }));
      if (hit.audience !== "internal") {
        actions.appendChild(button("Insert link", "Insert link: " + hit.title,
                                   function () { insert("link", hit); }));
        var open = document.createElement("a");
        open.href = publicUrl(hit);
        open.target = "_blank";
        open.rel = "noopener noreferrer";
        open.textContent = "Open";
        open.setAttribute("aria-label", "Open in a new tab: " + hit.title);
        actions.appendChild(open);
      }
      if (token) {
        actions.appendChild(button("Used", "Used for this customer: " + hit.title,
                                   function (event) { used(hit, event.currentTarget); }));
      }
      item.append(title, meta, answer, actions);
      list.appendChild(item);
    });
  }

  /* Chatwoot posts {event: "appContext", data: {conversation: {messages: [...]}}} as a string. */
  function fromChatwoot(raw) {
    var parsed = null;
    try { parsed = JSON.parse(raw); } catch (error) { return null; }
    if (!parsed || parsed.event !== "appContext" || !parsed.data) { return null; }
    var messages = (parsed.data.conversation && parsed.data.conversation.messages) || [];
    var incoming = messages.filter(function (m) { return m && m.message_type === 0 && m.content; })
      .map(function (m) { return String(m.content); });
    return { type: "supportkb:ticket", subject: "", text: incoming.join("\n"), lang: "" };
  }

  window.addEventListener("message", function (event) {
    if (allowed.indexOf(event.origin) < 0 || event.source !== window.parent) { return; }
    var data = typeof event.data === "string" ? fromChatwoot(event.data) : event.data;
    if (!data || typeof data !== "object") { return; }
    if (typeof data.token === "string" && data.token) { token = data.token; }
    if (data.type === "supportkb:auth") {
      parentOrigin = event.origin;
      showWho();
    } else if (data.type === "supportkb:ticket") {
      parentOrigin = event.origin;
      lang = typeof data.lang === "string" ? data.lang.toLowerCase().slice(0, 2) : "";
      ticketRef = typeof data.ticket === "string" || typeof data.ticket === "number"
        ? String(data.ticket).slice(0, MAX_TICKET_REF) : "";
      showWho();
      var subject = typeof data.subject === "string" ? data.subject : "";
      var text = typeof data.text === "string" ? data.text : "";
      input.value = ticketQuery(subject, text);
      run(subject + "\n" + text);
    }
  });

  document.getElementById("sidebar-form").addEventListener("submit", function (event) {
    event.preventDefault();
    run(input.value);
  });

  if (window.parent !== window) {
    allowed.forEach(function (origin) { window.parent.postMessage({ type: "supportkb:ready" }, origin); });
  }
})();
