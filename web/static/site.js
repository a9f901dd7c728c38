/* Instant search for the help centre: a progressive enhancement of the plain search forms.
 * Without JavaScript the forms submit to /search as usual. With it, typing shows a few matching
 * articles in an ARIA combobox listbox (arrow keys, Enter, Escape), fetched from the site's
 * own JSON endpoint. Text is inserted with textContent only: nothing from the server is parsed
 * as HTML. */
(function () {
  "use strict";
  var DELAY_MS = 150;
  var MIN_CHARS = 2;
  var counter = 0;
  var SESSION_KEY = "kb-search-session";

  /* A random id per browser tab, so analytics can link a failed search to its rephrasing. */
  function searchSession() {
    try {
      var id = window.sessionStorage.getItem(SESSION_KEY);
      if (!id && window.crypto && window.crypto.getRandomValues) {
        var bytes = new Uint8Array(12);
        window.crypto.getRandomValues(bytes);
        id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
        window.sessionStorage.setItem(SESSION_KEY, id);
      }
      return id || "";
    } catch (e) {
      return "";
    }
  }

  function enhance(form) {
    var input = form.querySelector("input[name=q]");
    var endpoint = form.getAttribute("data-instant");
    if (!input || !endpoint || !window.fetch) { return; }
    counter += 1;
    var listId = (input.id || "q" + counter) + "-instant";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "instant";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", form.getAttribute("data-list-label") || "");
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    form.appendChild(list);
    form.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var timer = null;
    var controller = null;
    var active = -1;
    var lastText = "";

    function options() { return list.querySelectorAll("[role=option]"); }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function select(index) {
      var items = options();
      if (!items.length) { return; }
      active = (index + items.length) % items.length;
      for (var i = 0; i < items.length; i++) {
        items[i].setAttribute("aria-selected", i === active ? "true" : "false");
      }
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({block: "nearest"});
    }

    function option(id, href, title, detail, extraClass, lang) {
      var li = document.createElement("li");
      li.id = id;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      if (extraClass) { li.className = extraClass; }
      var a = document.createElement("a");
      a.href = href;
      a.tabIndex = -1;
      a.textContent = title;
      if (lang) { a.lang = lang; }  /* a result in another language than the page */
      if (detail) {
        var small = document.createElement("span");
        small.className = "instant__type";
        if (lang) { small.lang = document.documentElement.lang; }
        small.textContent = detail;
        a.appendChild(small);
      }
      li.appendChild(a);
      return li;
    }

    function render(data) {
      list.textContent = "";
      active = -1;
      var results = data.results || [];
      results.forEach(function (item, n) {
        var detail = item.type_label + (item.lang_label ? " \u00b7 " + item.lang_label : "");
        list.appendChild(option(listId + "-" + n, item.url, item.title, detail, "",
                                item.lang_label ? item.lang : ""));
      });
      if (results.length) {
        var more = form.getAttribute("data-all-label") || "";
        list.appendChild(option(listId + "-all", data.search_url, more + " \u2192", "", "instant__all"));
      }
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      status.textContent = (form.getAttribute(results.length ? "data-results-label" : "data-none-label") || "")
        .replace("{n}", String(results.length));
    }

    function lookup() {
      var text = input.value.trim();
      if (text === lastText) { return; }
      lastText = text;
      if (controller) { controller.abort(); }
      if (text.length < MIN_CHARS) { list.textContent = ""; close(); return; }
      controller = window.AbortController ? new AbortController() : null;
      var url = endpoint + "?q=" + encodeURIComponent(text) + "&lang=" + encodeURIComponent(document.documentElement.lang || "");
      var headers = {"Accept": "application/json"};
      var session = searchSession();
      if (session) { headers["X-Search-Session"] = session; }
      fetch(url, {headers: headers, credentials: "same-origin",
                  signal: controller ? controller.signal : undefined})
        .then(function (reply) { return reply.ok ? reply.json() : {results: []}; })
        .then(function (data) { if (input.value.trim() === text) { render(data); } })
        .catch(function () { /* aborted or offline: the form still works */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookup, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown") {
        if (!open && list.childNodes.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        select(active + 1); event.preventDefault();
      } else if (event.key === "ArrowUp" && open) {
        select(active - 1); event.preventDefault();
      } else if (event.key === "Escape" && open) {
        close(); event.preventDefault();
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        window.location.assign(options()[active].querySelector("a").href);
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
    input.addEventListener("focus", function () { if (list.childNodes.length && input.value.trim()) { list.hidden = false; input.setAttribute("aria-expanded", "true"); } });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
  }

  function start() {
    var forms = document.querySelectorAll("form[data-instant]");
    for (var i = 0; i < forms.length; i++) { enhance(forms[i]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
