/* Contact-form suggestions (/embed/deflect), placed beside a form by /embed/deflect.js.
 *
 * In:  {type: "supportkb:contact", subject, text, session}    from an allowed parent origin
 * Out: {type: "supportkb:resize", height}                     so the parent can size the frame
 * An opened suggestion is reported for the deflection report with the form visit's session id
 * (random, made by the parent script; absent when the visitor asks not to be tracked). */
(function () {
  "use strict";
  var root = document.getElementById("deflect");
  if (!root) { return; }
  var allowed = JSON.parse(root.getAttribute("data-origins") || "[]");
  var lang = root.getAttribute("data-lang") || "";
  var list = document.getElementById("deflect-list");
  var title = document.getElementById("deflect-title");
  var status = document.getElementById("deflect-status");
  var MAX_QUERY = 300;
  var parentOrigin = null;
  var session = null;
  var lastQuery = "";
  var seq = 0;

  function resize() {
    if (parentOrigin) {
      window.parent.postMessage({ type: "supportkb:resize", height: document.body.scrollHeight }, parentOrigin);
    }
  }

  function queryOf(subject, text) {
    var query = (String(subject || "") + " " + String(text || "")).replace(/\s+/g, " ").trim();
    return query.length > MAX_QUERY ? query.slice(0, MAX_QUERY) : query;
  }

  function opened(hit, position) {
    if (!session) { return; }
    fetch("/embed/deflect/event", {
      method: "POST", credentials: "omit", keepalive: true,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ kind: "open", session: session, slug: hit.slug, query: lastQuery,
                             position: position })
    }).catch(function () {});
  }

  function render(hits) {
    list.textContent = "";
    hits.forEach(function (hit, index) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = new URL(hit.url, window.location.origin).href;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = hit.title;
      link.addEventListener("click", function () { opened(hit, index + 1); });
      var summary = document.createElement("p");
      summary.textContent = hit.summary;
      item.append(link, summary);
      list.appendChild(item);
    });
    title.hidden = !hits.length;
    status.textContent = hits.length ? root.getAttribute("data-found") + " " + hits.length : "";
    resize();
  }

  function search(query) {
    if (query === lastQuery) { return; }
    lastQuery = query;
    var mine = ++seq;
    if (!query) { render([]); return; }
    var params = new URLSearchParams({ q: query });
    if (lang) { params.set("lang", lang); }
    var headers = { "Accept": "application/json" };
    if (session) { headers["X-Search-Session"] = session; }
    fetch("/embed/deflect/suggestions?" + params.toString(), { headers: headers, credentials: "omit" })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (body) { if (mine === seq) { render(body.results); } })
      .catch(function () {});
  }

  window.addEventListener("message", function (event) {
    if (allowed.indexOf(event.origin) < 0 || event.source !== window.parent) { return; }
    var data = event.data;
    if (!data || data.type !== "supportkb:contact") { return; }
    parentOrigin = event.origin;
    session = typeof data.session === "string" && /^[A-Za-z0-9_-]{8,64}$/.test(data.session) ? data.session : null;
    search(queryOf(data.subject, data.text));
  });

  if (window.parent !== window) {
    allowed.forEach(function (origin) { window.parent.postMessage({ type: "supportkb:ready" }, origin); });
  }
})();
