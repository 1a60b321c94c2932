// Fills each .browser-time with its session's start and end in the browser's own time zone (the page shows the
// edition's zone from the server; an expert without an account has no zone in Lintas). No inline script: CSP.
(function () {
  "use strict";
  function show() {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var day = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
    var clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
    document.querySelectorAll(".browser-time").forEach(function (el) {
      var start = new Date(el.dataset.start), end = new Date(el.dataset.end);
      if (isNaN(start) || isNaN(end)) { return; }
      el.textContent = "(" + day.format(start) + "–" + clock.format(end) + " " + zone + ")";
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", show); } else { show(); }
})();
