/* supportkb deflection for a contact form. Include it after the form:
 *
 *   <script src="https://help.example.com/embed/deflect.js" data-form="#contact"
 *           data-subject="[name=subject]" data-description="[name=description]" data-lang="en"></script>
 *
 * As the customer types, matching public articles appear in a frame below the description. If the
 * customer opens one and never sends the form, the visit counts as deflected. Sending the form is
 * reported with navigator.sendBeacon. With Global Privacy Control or Do Not Track on, no visit id
 * is made and nothing but the searches themselves reaches the server. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var base = new URL(script.src);
  var origin = base.origin;
  var form = document.querySelector(script.getAttribute("data-form") || "form");
  if (!form) { return; }
  var subject = form.querySelector(script.getAttribute("data-subject") || "[name=subject]");
  var description = form.querySelector(script.getAttribute("data-description") || "textarea");
  var lang = script.getAttribute("data-lang") || document.documentElement.lang || "";
  var DEBOUNCE_MS = 400;
  var optedOut = navigator.globalPrivacyControl === true || navigator.doNotTrack === "1";
  var session = null;
  if (!optedOut) {
    var bytes = new Uint32Array(3);
    window.crypto.getRandomValues(bytes);
    session = Array.prototype.map.call(bytes, function (n) { return n.toString(36); }).join("x");
  }
  var frame = document.createElement("iframe");
  frame.src = origin + "/embed/deflect" + (/^[a-z]{2}$/.test(lang) ? "?lang=" + lang : "");
  frame.title = script.getAttribute("data-title") || "Articles that may answer your question";
  frame.style.cssText = "width:100%;border:0;height:0;display:block";
  frame.setAttribute("loading", "eager");
  var anchor = description || subject || form.lastChild;
  anchor.parentNode.insertBefore(frame, anchor.nextSibling);
  var ready = false;
  var timer = null;

  function send() {
    if (!ready) { return; }
    frame.contentWindow.postMessage({ type: "supportkb:contact", session: session,
                                      subject: subject ? subject.value : "",
                                      text: description ? description.value : "" }, origin);
  }

  function schedule() { clearTimeout(timer); timer = setTimeout(send, DEBOUNCE_MS); }

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow || !event.data) { return; }
    if (event.data.type === "supportkb:ready") { ready = true; send(); }
    if (event.data.type === "supportkb:resize" && typeof event.data.height === "number") {
      frame.style.height = Math.min(Math.max(event.data.height, 0), 600) + "px";
    }
  });
  [subject, description].forEach(function (field) { if (field) { field.addEventListener("input", schedule); } });
  form.addEventListener("submit", function () {
    if (session && navigator.sendBeacon) {
      navigator.sendBeacon(origin + "/embed/deflect/event", JSON.stringify({ kind: "sent", session: session }));
    }
  });
})();
