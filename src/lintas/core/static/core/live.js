/* Live alerts (decision 0045): one EventSource per page carries "something changed for you" signals; each one fires
   the htmx event `lintas:live` on <body>, and the parts of the page that listen for it (hx-trigger="lintas:live
   from:body") refetch themselves through the normal, access-checked views. No data arrives through the stream.
   Without a stream (a WSGI server answers 204, errors, no EventSource) the page polls: the same event every 5 s.
   Each live part has hx-sync="this:replace": a signal that arrives while the part is refetching aborts that request
   and sends a new one. (Queued behind it, the new request went with the part its answer replaced: lost.)
   The urgent banner (#live-banner) puts its count in the tab title, and a new alert sounds and, once the user
   allowed it, shows a browser notification. */
(function () {
  "use strict";
  var script = document.currentScript;
  var streamUrl = script && script.getAttribute("data-stream");
  var POLL_MS = 5000;
  var SPREAD_MS = 1500; /* agency-wide signals: a thousand dashboards do not refetch in the same instant */
  var RETRY_STREAM_MS = 30000;
  var baseTitle = document.title;
  var source = null;
  var pollTimer = null;
  var failures = 0;
  var pending = null;

  function fire() {
    pending = null;
    if (window.htmx) { window.htmx.trigger(document.body, "lintas:live"); }
  }

  /* A personal signal (a notice for this user, the stream just opened) is also fetched once more a little later:
     should its first refetch have been answered from before the change it announces (a reader's snapshot, a
     refetch already under way), the second shows it. */
  var trailing = null;
  var TRAILING_MS = 2000;

  function signal(kind) {
    if (kind === "requests") {
      if (!pending) { pending = window.setTimeout(fire, Math.random() * SPREAD_MS); }
    } else {
      if (pending) { window.clearTimeout(pending); }
      fire();
      if (trailing) { window.clearTimeout(trailing); }
      trailing = window.setTimeout(function () { trailing = null; fire(); }, TRAILING_MS);
    }
  }

  function startPolling() {
    if (pollTimer) { return; }
    document.body.setAttribute("data-live", "polling");
    fire();
    pollTimer = window.setInterval(fire, POLL_MS);
    if (streamUrl && "EventSource" in window) { window.setTimeout(connect, RETRY_STREAM_MS); }
  }

  function stopPolling() {
    if (pollTimer) { window.clearInterval(pollTimer); pollTimer = null; }
  }

  function connect() {
    if (!streamUrl || !("EventSource" in window)) { startPolling(); return; }
    if (source) { source.close(); }
    source = new EventSource(streamUrl);
    source.onopen = function () {
      failures = 0;
      stopPolling();
      document.body.setAttribute("data-live", "stream");
      signal("connected"); /* what changed while the stream was closed is fetched now */
    };
    source.onmessage = function (event) { signal(event.data); };
    source.onerror = function () {
      failures += 1;
      /* CLOSED: the server refused (204, 403); else the browser retries by itself, a few times */
      if (source.readyState === EventSource.CLOSED || failures >= 3) {
        source.close();
        source = null;
        startPolling();
      }
    };
  }

  /* --- the urgent banner: title count, sound, browser notification --- */
  var SEEN_KEY = "lintas-live-alerts";

  function seenAlerts() {
    try { return JSON.parse(window.sessionStorage.getItem(SEEN_KEY) || "[]"); } catch (e) { return []; }
  }

  function beep() {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) { return; }
      var context = new Context();
      var oscillator = context.createOscillator();
      var gain = context.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, context.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.25, context.currentTime + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, context.currentTime + 0.45);
      oscillator.connect(gain);
      gain.connect(context.destination);
      oscillator.start();
      oscillator.stop(context.currentTime + 0.5);
      oscillator.onended = function () { context.close(); };
    } catch (e) { /* no sound allowed yet (no user gesture): the banner still shows */ }
  }

  function notify(banner) {
    if (!("Notification" in window) || window.Notification.permission !== "granted") { return; }
    var heading = banner.querySelector("h2");
    var link = banner.querySelector("a");
    try {
      var note = new window.Notification(heading ? heading.textContent.trim() : document.title, {
        body: link ? link.textContent.trim() : "",
        tag: "lintas-urgent"
      });
      note.onclick = function () { window.focus(); if (link) { window.location.href = link.href; } };
    } catch (e) { /* some browsers allow notifications only from a service worker */ }
  }

  function onBanner(banner) {
    var count = parseInt(banner.getAttribute("data-alert-count") || "0", 10);
    document.title = count > 0 ? "(" + count + ") " + baseTitle : baseTitle;
    var keys = (banner.getAttribute("data-alert-keys") || "").split(" ").filter(Boolean);
    var seen = seenAlerts();
    var fresh = keys.filter(function (key) { return seen.indexOf(key) === -1; });
    try {
      /* only while there are alerts: an empty tab keeps nothing of Lintas in its storage */
      if (keys.length) { window.sessionStorage.setItem(SEEN_KEY, JSON.stringify(keys)); }
      else { window.sessionStorage.removeItem(SEEN_KEY); }
    } catch (e) { /* private mode */ }
    if (fresh.length) {
      beep();
      notify(banner);
    }
    var button = banner.querySelector("#live-notify-permission");
    if (button && "Notification" in window && window.Notification.permission === "default") {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.Notification.requestPermission().then(function () { button.hidden = true; });
      });
    }
  }

  document.addEventListener("htmx:load", function (event) {
    var element = event.detail && event.detail.elt;
    if (element && element.id === "live-banner") { onBanner(element); }
  });

  function start() {
    if (document.body) { document.body.setAttribute("data-live", "connecting"); }
    connect();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
