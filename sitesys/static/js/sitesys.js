/* SiteSys page behaviour. Every page works without this file; it only makes taps safer. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // htmx requests carry the CSRF token as a header (Flask-WTF reads X-CSRFToken).
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
    // The board sends the stamp of what it shows; an unchanged board is answered 204, no body.
    var stamp = event.detail.elt && event.detail.elt.getAttribute("data-board-stamp");
    if (stamp) { event.detail.headers["X-Board-Stamp"] = stamp; }
  });

  // The words shown, in the page's language: the board's templates render them as JSON
  // (board/_updates.html); a value such as {time} is filled in here.
  var boardWords = null;
  function word(key, values) {
    if (boardWords === null) {
      var block = document.getElementById("board-words");
      try { boardWords = block ? JSON.parse(block.textContent) : {}; } catch (e) { boardWords = {}; }
    }
    var text = boardWords[key] || "";
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(String(values[name])); });
    return text;
  }

  // "No change" still means the board was checked just now: say so.
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status !== 204 || !event.detail.elt || event.detail.elt.id !== "board") { return; }
    var checked = event.detail.elt.querySelector("[data-board-checked]");
    if (checked) { checked.textContent = word("up_to_date", { time: clockText(new Date()) }); }
  });

  // A board whose polls go unanswered (the network dropped, the server is down) says so at its
  // top: staff must never trust a frozen board that still reads "Up to date".
  var boardAnsweredAt = new Date();
  var boardAskedAt = null;
  var BOARD_WAIT_MS = 10000;

  function clockText(date) {
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds());
  }

  function showBoardLost(lost) {
    var banner = document.querySelector("#board [data-board-lost]");
    if (!banner) { return; }
    if (lost) {
      var words = word("lost", { time: clockText(boardAnsweredAt) });
      // Written once per outage: a screen reader repeats an alert each time it is rewritten.
      if (banner.textContent !== words) { banner.textContent = words; }
    }
    banner.hidden = !lost;
  }

  document.addEventListener("htmx:beforeSend", function (event) {
    if (event.detail.elt && event.detail.elt.id === "board") { boardAskedAt = new Date(); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.elt || event.detail.elt.id !== "board") { return; }
    boardAskedAt = null;
    if (boardSignedOut) { showBoardLost(false); return; }
    var xhr = event.detail.xhr;
    var answered = event.detail.successful && xhr && (xhr.status === 200 || xhr.status === 204);
    if (answered) { boardAnsweredAt = new Date(); }
    showBoardLost(!answered);
  });
  setInterval(function () {
    if (boardAskedAt && Date.now() - boardAskedAt.getTime() > BOARD_WAIT_MS) { showBoardLost(true); }
  }, 1000);

  // A staff board whose session ended (idle, time limit, signed out elsewhere) is answered 401:
  // it does not follow the answer to the sign-in form but says so in a full-width banner with a
  // "Sign in" button, and stops polling. A wall-board display (data-display) follows it to its
  // pairing page instead.
  var boardSignedOut = false;
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var elt = event.detail.elt;
    var xhr = event.detail.xhr;
    if (!elt || elt.id !== "board" || !xhr || xhr.status !== 401 || elt.hasAttribute("data-display")) { return; }
    var banner = document.querySelector("[data-session-ended]");
    if (!banner) { return; }
    event.preventDefault();
    boardSignedOut = true;
    boardAskedAt = null;
    var reason = xhr.getResponseHeader("X-Session-Ended") || "";
    var text = banner.querySelector("[data-session-ended-text]");
    if (text) { text.textContent = word("ended_" + reason) || word("ended_logout"); }
    banner.hidden = false;
    showBoardLost(false);
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (boardSignedOut && event.detail.elt && event.detail.elt.id === "board") { event.preventDefault(); }
  });

  // The board's alert sound: when a tile turns red (emergency) or a check becomes overdue. A
  // tablet plays audio only after a tap on the page, so until then the board shows "Tap to turn
  // on alert sound". The mute is this board's own (kept on this device) and shows plainly.
  var MUTE_KEY = "sitesys-board-muted";
  var alertAudio = null;
  var soundAllowed = false;
  var tileStates = null;

  function soundBox() { return document.querySelector("[data-board-sound]"); }
  function boardMuted() {
    try { return window.localStorage.getItem(MUTE_KEY) === "1"; } catch (e) { return false; }
  }
  function showSoundControls() {
    var box = soundBox();
    if (!box) { return; }
    var enable = box.querySelector("[data-sound-enable]");
    var mute = box.querySelector("[data-sound-mute]");
    var muted = boardMuted();
    enable.hidden = soundAllowed;
    mute.hidden = !soundAllowed && !muted;
    mute.setAttribute("aria-pressed", muted ? "true" : "false");
    mute.textContent = muted ? word("sound_muted") : word("sound_on");
    mute.classList.toggle("is-muted", muted);
    box.setAttribute("data-sound-state", muted ? "muted" : (soundAllowed ? "on" : "waiting"));
  }
  function readTileStates() {
    var states = {};
    document.querySelectorAll("#board [data-tile][data-state]").forEach(function (tile) {
      states[tile.getAttribute("data-tile")] = tile.getAttribute("data-state");
    });
    return states;
  }
  function soundAlert(reason) {
    var box = soundBox();
    if (!box || !soundAllowed || boardMuted() || !alertAudio) { return; }
    box.setAttribute("data-sounded", String(Number(box.getAttribute("data-sounded") || "0") + 1));
    box.setAttribute("data-sounded-for", reason);
    try {
      alertAudio.currentTime = 0;
      var playing = alertAudio.play();
      if (playing && playing.catch) { playing.catch(function () {}); }
    } catch (e) { /* no audio device: the board still shows the change */ }
  }
  function compareTiles() {
    var now = readTileStates();
    if (tileStates !== null) {
      var reason = null;
      Object.keys(now).forEach(function (id) {
        var before = tileStates[id];
        if (now[id] === "emergency" && before !== "emergency") { reason = "emergency"; }
        else if (now[id] === "overdue" && before !== "overdue" && before !== "emergency" && !reason) { reason = "overdue"; }
      });
      if (reason) { soundAlert(reason); }
    }
    tileStates = now;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = soundBox();
    if (!box) { return; }
    alertAudio = new Audio(box.getAttribute("data-sound-src"));
    alertAudio.preload = "auto";
    tileStates = readTileStates();
    showSoundControls();
    box.addEventListener("click", function (event) {
      var target = event.target instanceof Element ? event.target : null;
      if (target && target.closest("[data-sound-enable]")) {
        soundAllowed = true;
        try { window.localStorage.removeItem(MUTE_KEY); } catch (e) { /* private mode */ }
        // The tap itself plays the sound once: the tablet now allows it, and staff hear it.
        try {
          var first = alertAudio.play();
          if (first && first.catch) { first.catch(function () {}); }
        } catch (e) { /* no audio device */ }
        showSoundControls();
      } else if (target && target.closest("[data-sound-mute]")) {
        try {
          window.localStorage.setItem(MUTE_KEY, boardMuted() ? "0" : "1");
        } catch (e) { /* private mode */ }
        if (!boardMuted()) { soundAllowed = true; }
        showSoundControls();
      }
    });
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (document.getElementById("board") && soundBox()) { compareTiles(); }
  });

  // The board (and a running response's log) refreshes itself, but never while someone is
  // typing or choosing inside it.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.elt;
    if (!target || !(target.id === "board" || target.hasAttribute("data-live"))) { return; }
    var active = document.activeElement;
    var editing = active && target.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName);
    if (editing || target.querySelector("details[open]") || target.querySelector("form[data-submitted]")) {
      event.preventDefault();
    }
  });

  // A second tap on a submit button while the first is on its way must not send the form twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") {
      return;
    }
    if (form.dataset.submitted === "1") {
      event.preventDefault();
      return;
    }
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "1";
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
      button.setAttribute("aria-disabled", "true");
      button.classList.add("is-busy");
    });
    // A download leaves the page where it is: its form is ready again a moment later.
    if (form.hasAttribute("data-download")) {
      setTimeout(function () { enableForm(form); }, 3000);
    }
  });

  function enableForm(form) {
    delete form.dataset.submitted;
    form.querySelectorAll(".is-busy").forEach(function (button) {
      button.removeAttribute("aria-disabled");
      button.classList.remove("is-busy");
    });
  }

  // A form sent by htmx (a tap on the response screen) is answered in place: ready again once
  // its answer is in, so the next tap is taken.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form instanceof HTMLFormElement && form.dataset.submitted === "1") { enableForm(form); }
  });

  // Coming back to a page from the browser's history re-enables its forms.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitted]").forEach(enableForm);
  });

  // In-page confirmations: "Cancel" closes the panel (without JavaScript the button that opened
  // it does, and Cancel stays hidden).
  document.querySelectorAll("[data-confirm-cancel]").forEach(function (button) { button.hidden = false; });
  document.addEventListener("click", function (event) {
    var cancel = event.target instanceof Element ? event.target.closest("[data-confirm-cancel]") : null;
    var step = cancel && cancel.closest("details");
    if (step) { step.open = false; }
  });

  // A "Print" button on a printable page (no inline script: the CSP forbids it).
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (button) { window.print(); }
  });

  // Live clocks: <span data-clock-since="ISO time"> shows minutes:seconds since that time.
  function tickClocks() {
    var now = Date.now();
    document.querySelectorAll("[data-clock-since]").forEach(function (element) {
      var since = Date.parse(element.getAttribute("data-clock-since"));
      if (isNaN(since)) { return; }
      var seconds = Math.max(0, Math.floor((now - since) / 1000));
      var minutes = Math.floor(seconds / 60);
      var rest = seconds % 60;
      element.textContent = minutes + ":" + (rest < 10 ? "0" : "") + rest;
    });
    // A prompt due at a time (<strong data-shows-at="ISO time" hidden>) shows itself then.
    document.querySelectorAll("[data-shows-at][hidden]").forEach(function (element) {
      var at = Date.parse(element.getAttribute("data-shows-at"));
      if (!isNaN(at) && now >= at) { element.hidden = false; }
    });
  }
  setInterval(tickClocks, 1000);

  // The idle warning: two minutes before the site's idle sign-out, a dialog offers "Stay signed
  // in". The board's own polls do not count as use (as on the server); anything else does.
  var idleDialog = document.querySelector("[data-idle-warning]");
  var IDLE_WARN_MS = 2 * 60 * 1000;
  var lastUsed = Date.now();

  function idleText(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var rest = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function showIdle(signedOut) {
    idleDialog.querySelector("[data-idle-before]").hidden = signedOut;
    idleDialog.querySelector("[data-idle-after]").hidden = !signedOut;
    if (!idleDialog.open) { idleDialog.showModal(); }
  }

  function checkIdle() {
    // A board that found its session over says so in its own full-width banner: one message.
    if (document.querySelector("[data-session-ended]:not([hidden])")) {
      if (idleDialog.open) { idleDialog.close(); }
      return;
    }
    var left = lastUsed + Number(idleDialog.getAttribute("data-idle-seconds")) * 1000 - Date.now();
    if (left <= 0 && document.querySelector("[data-session-ended]")) {
      // A board says it in its own full-width banner at its next poll, the board still in view.
      if (idleDialog.open) { idleDialog.close(); }
      return;
    }
    if (left <= 0) {
      showIdle(true);
    } else if (left <= IDLE_WARN_MS) {
      idleDialog.querySelector("[data-idle-left]").textContent = idleText(left);
      showIdle(false);
    }
  }

  if (idleDialog) {
    setInterval(checkIdle, 1000);
    idleDialog.querySelector("[data-idle-stay]").addEventListener("click", function () {
      fetch(idleDialog.getAttribute("data-stay-url"), {
        method: "POST", credentials: "same-origin", redirect: "manual",
        headers: { "X-CSRFToken": csrfToken() }
      }).then(function (response) {
        if (response.status === 204) {
          lastUsed = Date.now();
          idleDialog.close();
        } else {
          showIdle(true);
        }
      }, function () { showIdle(true); });
    });
    // Esc closes a modal dialog; here it means "stay", so it must not skip the request.
    idleDialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      idleDialog.querySelector("[data-idle-stay]").click();
    });
    document.addEventListener("htmx:afterRequest", function (event) {
      var elt = event.detail.elt;
      if (elt && elt.id !== "board" && !elt.hasAttribute("data-live")) { lastUsed = Date.now(); }
    });
  }
  document.addEventListener("DOMContentLoaded", tickClocks);
  document.addEventListener("htmx:afterSwap", tickClocks);
  // htmx applies a kept element's new attributes (a prompt's `hidden`) only once it settles.
  document.addEventListener("htmx:afterSettle", tickClocks);
})();
