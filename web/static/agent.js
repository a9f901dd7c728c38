/* Agent console: keyboard-first search over the JSON API (session auth, same origin). */
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root) { return; }
  var routes = JSON.parse(root.getAttribute("data-routes") || "{}");
  var input = document.getElementById("q");
  var filters = Array.prototype.slice.call(document.querySelectorAll("select.filter"));
  var list = document.getElementById("results");
  var status = document.getElementById("status");
  var tab = new Uint32Array(2);
  window.crypto.getRandomValues(tab);
  /* A random id per tab links searches to clicks in analytics; it identifies no one. */
  var HEADERS = { "X-Requested-With": "supportkb-console", "Accept": "application/json",
                  "X-Search-Session": tab[0].toString(36) + tab[1].toString(36) };
  var DEBOUNCE_MS = 120;
  var hits = [];
  var selected = -1;
  var lastQuery = "";
  var timer = null;
  var pending = null;
  var seq = 0;
  var openWhenReady = false;
  var forwardTo = null; /* with no good answer: the route to forward the customer to (triage) */

  function el(id) { return document.getElementById(id); }
  function say(text) { status.textContent = text; }

  function api(path, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({}, HEADERS, options.headers || {});
    return fetch("/api/v1/" + path, options).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error((body.error && body.error.message) || response.statusText); }
        return body;
      });
    });
  }

  function post(path, body) {
    return api(path, { method: "POST", headers: { "Content-Type": "application/json" },
                       body: JSON.stringify(body) });
  }

  function searchNow() {
    var q = input.value.trim();
    if (!q) {
      hits = []; render(); say("");
      window.history.replaceState(null, "", window.location.pathname);
      return;
    }
    var params = new URLSearchParams({ q: q, limit: "10" });
    filters.forEach(function (select) { if (select.value) { params.set(select.name, select.value); } });
    var mine = ++seq;
    if (pending) { pending.abort(); }
    pending = new AbortController();
    api("search?" + params.toString(), { signal: pending.signal }).then(function (body) {
      if (mine !== seq) { return; }
      lastQuery = q;
      share(params);
      hits = body.results;
      selected = hits.length ? 0 : -1;
      forwardTo = null;
      render();
      if (openWhenReady) { openWhenReady = false; open(); }
      var note = body.did_you_mean ? " (searched for: " + body.did_you_mean + ")" : "";
      if (body.no_good_answer) {
        say("No good answer" + note + ": finding where to forward...");
        forward(params, mine, note, hits.length);
        return;
      }
      say(hits.length ? body.total + " answers" + note
                      : "No answer found" + note + ". Use the route for the customer's problem.");
    }).catch(function (error) {
      if (error.name !== "AbortError") { say("Search failed: " + error.message); }
    });
  }

  /* No good answer: the triage endpoint names the likely type's forwarding route (one search
     computation server-side, see search/triage.py); weak hits stay listed below it. */
  function forward(params, mine, note, count) {
    var asked = new URLSearchParams({ q: params.get("q"), limit: "5" });  /* triage takes q, lang */
    if (params.get("lang")) { asked.set("lang", params.get("lang")); }
    api("triage?" + asked.toString()).then(function (body) {
      if (mine !== seq) { return; }
      forwardTo = body.route || null;
      showSelected(false);
      var where = forwardTo ? forwardTo.summary : "the team for the customer's problem";
      say("No good answer" + note + ": forward to " + where + "." +
          (count ? " Weak matches are listed below." : ""));
    }).catch(function (error) {
      if (mine === seq) { say("No good answer" + note + ". Triage failed: " + error.message); }
    });
  }

  /* The page's URL follows the search (query and filters), so it can be shared or bookmarked. */
  function share(params) {
    var shown = new URLSearchParams(params);
    shown.delete("limit");
    window.history.replaceState(null, "", window.location.pathname + "?" + shown.toString());
  }

  function restore() {
    var given = new URLSearchParams(window.location.search);
    filters.forEach(function (select) { if (given.get(select.name)) { select.value = given.get(select.name); } });
    if (given.get("q")) { input.value = given.get("q"); searchNow(); }
  }

  function schedule() {
    say("Searching...");
    clearTimeout(timer);
    timer = setTimeout(searchNow, DEBOUNCE_MS);
  }

  function render() {
    list.textContent = "";
    hits.forEach(function (hit, index) {
      var item = document.createElement("li");
      item.id = "hit-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", index === selected ? "true" : "false");
      item.className = "hit" + (index === selected ? " is-selected" : "") +
        (hit.audience === "internal" ? " is-internal" : "") +
        (hit.status === "review" ? " is-review" : "") + (overdue(hit) ? " is-overdue" : "");
      var title = document.createElement("span");
      title.className = "hit-title";
      title.textContent = hit.title;
      var meta = document.createElement("span");
      meta.className = "hit-meta";
      meta.textContent = label(hit) + (hit.audience === "internal" ? " - internal" : "") +
        (hit.status === "review" ? " - in review, not yet validated" : "") +
        (overdue(hit) ? " - verification overdue" : "") +
        (hit.stale_translation ? " - translation may be out of date" : "");
      var snippet = document.createElement("span");
      snippet.className = "hit-snippet";
      snippet.textContent = hit.answer || hit.summary;
      item.append(title, meta, snippet);
      item.addEventListener("click", function () { select(index); open(); });
      list.appendChild(item);
    });
    input.setAttribute("aria-activedescendant", selected >= 0 ? "hit-" + selected : "");
    showSelected(false);
  }

  function label(hit) {
    return hit.type.charAt(0).toUpperCase() + hit.type.slice(1) + ", Level " + hit.level;
  }

  function overdue(hit) {
    return Boolean(hit.verification && hit.verification.state === "overdue");
  }

  /* "Verified 2026-09-01 by sam, due 2026-11-30 - owners: billing-team" (agents-only data). */
  function verifiedText(check) {
    if (!check) { return ""; }
    var owners = check.owners.length ? " - owners: " + check.owners.join(", ") : " - no owner";
    if (!check.verified) { return "Never verified" + owners; }
    var left = check.days_left < 0 ? ", " + (-check.days_left) + " days overdue"
      : check.state === "due" ? ", in " + check.days_left + " days" : "";
    return "Verified " + check.verified + (check.verified_by ? " by " + check.verified_by : "") +
      ", due " + check.due + left + owners;
  }

  function select(index) {
    if (!hits.length) { return; }
    selected = Math.max(0, Math.min(hits.length - 1, index));
    Array.prototype.forEach.call(list.children, function (item, i) {
      item.classList.toggle("is-selected", i === selected);
      item.setAttribute("aria-selected", i === selected ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", "hit-" + selected);
    var current = el("hit-" + selected);
    if (current && current.scrollIntoView) { current.scrollIntoView({ block: "nearest" }); }
    showSelected(false);
  }

  function showRoute(hit) {
    var notice = el("no-answer");
    notice.hidden = !forwardTo;
    notice.textContent = forwardTo ? "No good answer: forward to " + forwardTo.summary : "";
    if (forwardTo && !hit) {
      el("route-summary").textContent = forwardTo.summary;
      el("route-notes").textContent = forwardTo.notes;
      return;
    }
    var route = hit ? routes[hit.type + ":" + hit.level] : null;
    el("route-summary").textContent = route ? route.summary
      : (hit ? "No route configured for " + label(hit) : "Select an answer to see where to forward.");
    el("route-notes").textContent = route ? route.notes : "";
  }

  function showSelected(withBody) {
    var hit = hits[selected];
    showRoute(hit);
    el("selected").hidden = !hit;
    if (!hit) { return; }
    el("selected-title").textContent = hit.title;
    el("selected-meta").textContent = label(hit);
    el("selected-stale").hidden = !hit.stale;
    el("selected-translation-stale").hidden = !hit.stale_translation;
    el("internal-badge").hidden = hit.audience !== "internal";
    el("review-badge").hidden = hit.status !== "review";
    el("selected-verification").textContent = verifiedText(hit.verification);
    el("selected-overdue").hidden = !overdue(hit);
    el("say-this").textContent = hit.answer || hit.summary;
    el("copy-link").disabled = hit.audience === "internal" || hit.status === "review";
    if (!withBody) { el("article-body").textContent = ""; }
  }

  function open() {
    if (input.value.trim() && input.value.trim() !== lastQuery) {
      openWhenReady = true;
      clearTimeout(timer);
      searchNow();
      return;
    }
    var hit = hits[selected];
    if (!hit) { return; }
    var position = selected + 1;
    api("articles/" + hit.slug).then(function (article) {
      if (hits[selected] !== hit) { return; }
      showSelected(true);
      /* The engine sanitizes article HTML (nh3) before it is indexed. */
      el("article-body").innerHTML = article.html;
      say("Opened: " + article.title);
    }).catch(function (error) { say("Could not open the article: " + error.message); });
    post("click", { query: lastQuery, slug: hit.slug, position: position }).catch(function () {});
  }

  function copy(text, done) {
    function fallback() {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      document.body.removeChild(area);
      input.focus();
      say(ok ? done : "Copy failed: select the text and copy it by hand.");
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { say(done); }, fallback);
    } else {
      fallback();
    }
  }

  function copyAnswer() {
    var hit = hits[selected];
    if (hit) { copy(hit.answer || hit.summary, "Copied the answer for: " + hit.title); }
  }

  function copyLink() {
    var hit = hits[selected];
    if (!hit) { return; }
    if (hit.audience === "internal") { say("Internal article: there is no customer link."); return; }
    if (hit.status === "review") { say("In review: customers cannot open it yet."); return; }
    copy(new URL(hit.url, window.location.origin).href, "Copied the customer link for: " + hit.title);
  }

  function resolved() {
    var hit = hits[selected];
    if (!hit) { return; }
    post("feedback", { slug: hit.slug, used_on_call: true, query: lastQuery || hit.title })
      .then(function () { say("Thanks: recorded that this answer resolved the call."); })
      .catch(function (error) { say("Could not record: " + error.message); });
  }

  function used() {
    var hit = hits[selected];
    if (!hit) { return; }
    post("articles/" + hit.slug + "/used", { query: lastQuery || hit.title })
      .then(function () { say("Recorded: " + hit.title + " used for this customer."); })
      .catch(function (error) { say("Could not record: " + error.message); });
  }

  function inField(target) {
    return target && (target.tagName === "INPUT" || target.tagName === "SELECT" ||
                      target.tagName === "TEXTAREA");
  }

  function typing(target) {
    return target && (target.tagName === "TEXTAREA" ||
                      (target.tagName === "INPUT" && target.type !== "button" && target.type !== "submit"));
  }

  var SHORTCUTS = { KeyC: copyAnswer, KeyL: copyLink, KeyR: resolved, KeyU: used };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey) { return; }
    var shortcut = SHORTCUTS[event.code];
    if (shortcut && (event.altKey || (!inField(event.target) && !event.shiftKey))) {
      event.preventDefault();
      shortcut();
      return;
    }
    if (event.altKey) { return; }
    if (event.key === "/" && event.target !== input && !typing(event.target)) {
      event.preventDefault();
      input.focus();
      input.select();
    } else if (event.key === "Escape") {
      input.focus();
    } else if (event.key === "ArrowDown" && (event.target === input || !inField(event.target))) {
      event.preventDefault();
      select(selected + 1);
    } else if (event.key === "ArrowUp" && (event.target === input || !inField(event.target))) {
      event.preventDefault();
      select(selected - 1);
    } else if (event.key === "Enter" && (event.target === input || !inField(event.target))) {
      if (event.target.tagName === "BUTTON") { return; }
      event.preventDefault();
      open();
    }
  });

  el("search-form").addEventListener("submit", function (event) { event.preventDefault(); });
  input.addEventListener("input", schedule);
  filters.forEach(function (select) { select.addEventListener("change", searchNow); });
  el("copy-answer").addEventListener("click", copyAnswer);
  el("copy-link").addEventListener("click", copyLink);
  el("resolved").addEventListener("click", resolved);
  el("used").addEventListener("click", used);
  input.focus();
  restore();
})();
