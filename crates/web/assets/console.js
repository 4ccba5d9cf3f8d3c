// Pledge staff console: the few things a page cannot do by itself.
// Written for this project; no libraries. Every feature degrades to plain
// links and forms when the script does not run.
(function () {
  "use strict";
  var root = document.documentElement;

  // Large-text mode, remembered in this browser.
  function setLarge(on) {
    root.classList.toggle("large", on);
    var b = document.getElementById("large-text");
    if (b) b.setAttribute("aria-pressed", on ? "true" : "false");
    try { localStorage.setItem("pledge-large", on ? "1" : "0"); } catch (e) { /* private mode */ }
  }
  try { if (localStorage.getItem("pledge-large") === "1") root.classList.add("large"); } catch (e) { /* ignore */ }

  function ready() {
    var large = document.getElementById("large-text");
    if (large) {
      large.setAttribute("aria-pressed", root.classList.contains("large") ? "true" : "false");
      large.addEventListener("click", function () { setLarge(!root.classList.contains("large")); });
    }
    setupSearch();
    setupPhrases();
    setupKeys();
    setupConsent();
  }

  // Customer search as the clerk types: debounced, the older request cancelled.
  function setupSearch() {
    var input = document.querySelector("input[data-search]");
    if (!input) return;
    var results = document.getElementById("results");
    var panel = document.getElementById("customer-panel");
    var timer = null, inflight = null, last = "";
    function run() {
      var q = input.value.trim();
      if (q === last) return;
      last = q;
      if (inflight) inflight.abort();
      if (q.length < 2) { results.innerHTML = ""; return; }
      inflight = new AbortController();
      fetch(input.getAttribute("data-search") + "?q=" + encodeURIComponent(q), { signal: inflight.signal, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { results.innerHTML = html; results.setAttribute("data-q", q); })
        .catch(function () { /* aborted or offline: keep what is shown */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") {
        var first = results.querySelector("button.hit");
        if (first) { first.focus(); e.preventDefault(); }
      } else if (e.key === "Enter") {
        e.preventDefault();
        clearTimeout(timer);
        run();
      }
    });
    results.addEventListener("keydown", function (e) {
      var hits = Array.prototype.slice.call(results.querySelectorAll("button.hit"));
      var i = hits.indexOf(document.activeElement);
      if (i < 0) return;
      if (e.key === "ArrowDown" && i + 1 < hits.length) { hits[i + 1].focus(); e.preventDefault(); }
      if (e.key === "ArrowUp") { (i > 0 ? hits[i - 1] : input).focus(); e.preventDefault(); }
    });
    results.addEventListener("click", function (e) {
      var hit = e.target.closest("button.hit");
      if (!hit) return;
      fetch("/intake/customers/" + hit.getAttribute("data-id"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          panel.innerHTML = html;
          var c = panel.querySelector(".customer");
          if (c) choose(c);
        });
    });
  }

  // Fills the case form from the chosen customer.
  function choose(c) {
    var set = function (id, v, onlyIfEmpty) {
      var el = document.getElementById(id);
      if (el && v && (!onlyIfEmpty || !el.value)) el.value = v;
    };
    set("customer_id", c.getAttribute("data-id"));
    set("contact_name", c.getAttribute("data-name"), true);
    set("contact_phone", c.getAttribute("data-phone"), true);
    set("utility", c.getAttribute("data-utility"));
    var chosen = document.getElementById("chosen");
    if (chosen) chosen.textContent = "✔ " + c.getAttribute("data-name");
    var kind = document.getElementById("kind");
    if (kind) kind.focus();
  }

  function setupPhrases() {
    document.addEventListener("click", function (e) {
      var b = e.target.closest("button.copy");
      if (!b) return;
      var text = b.getAttribute("data-copy");
      if (navigator.clipboard) navigator.clipboard.writeText(text).catch(function () {});
      b.classList.add("done");
      setTimeout(function () { b.classList.remove("done"); }, 800);
    });
  }

  // The consent box follows the kind: ticked, except for a report (举报),
  // whose reporter is told only when they agree. The hidden field says
  // which kind the box was set for, so the server can tell a choice from
  // a default left behind.
  function setupConsent() {
    var kind = document.getElementById("kind");
    var box = document.getElementById("notify_consent");
    var drawnFor = document.getElementById("consent_for");
    if (!kind || !box || !drawnFor) return;
    kind.addEventListener("change", function () {
      if (drawnFor.value === kind.value) return;
      box.checked = kind.value !== "report";
      drawnFor.value = kind.value;
    });
  }

  // F2: search; Alt+1…9: kind of case; Ctrl+Enter: submit the form being filled.
  function setupKeys() {
    document.addEventListener("keydown", function (e) {
      if (e.key === "F2") {
        var q = document.getElementById("q");
        if (q) { q.focus(); q.select(); e.preventDefault(); }
      } else if (e.altKey && !e.ctrlKey && /^[1-9]$/.test(e.key)) {
        var kind = document.getElementById("kind");
        var opt = kind && kind.querySelector('option[data-key="' + e.key + '"]');
        if (opt) {
          kind.value = opt.value;
          kind.dispatchEvent(new Event("change", { bubbles: true }));
          kind.focus();
          e.preventDefault();
        }
      } else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        var form = e.target.form || (e.target.closest && e.target.closest("form"));
        if (form && form.method.toLowerCase() === "post") {
          e.preventDefault();
          if (form.requestSubmit) form.requestSubmit(); else form.submit();
        }
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
