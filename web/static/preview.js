/* The writer's preview (python build.py serve): reload the page when a build finishes.
 * Only pages of a preview server load this file (web/preview). The server says "reload" on
 * /_preview/events as soon as its build differs from the one this page was rendered from. */
(function () {
  "use strict";
  var script = document.currentScript;
  var banner = document.querySelector("[data-kb-preview]");
  var close = banner && banner.querySelector("[data-kb-preview-close]");
  if (close) {
    close.addEventListener("click", function () { banner.hidden = true; });
  }
  if (!script || !window.EventSource) {
    return;
  }
  var url = script.getAttribute("data-events") + "?since=" +
    encodeURIComponent(script.getAttribute("data-token") || "");
  var source = new EventSource(url);
  source.addEventListener("reload", function () {
    source.close();
    window.location.reload();
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
