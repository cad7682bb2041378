/* The board's updates, made usable by everyone (WCAG 2.4.3, 2.2.2, 4.1.3):
   - focus stays on the same tile, link or button across a refresh that replaces the board;
   - "Pause updates" holds the board still for five minutes at most, and says so;
   - a polite live region says what changed when a tile's state changes, once. */
(function () {
  "use strict";

  var PAUSE_MS = 5 * 60 * 1000;
  var STATES = { emergency: "state_emergency", overdue: "state_overdue", due: "state_due" };
  var pausedUntil = 0;
  var focusKey = null;
  var lastStates = null;

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

  function board() { return document.getElementById("board"); }

  // A key that names the same control in the next board: links by where they go, buttons by
  // their form's action and their words (never by position, which changes as tiles sort).
  function keyOf(element) {
    if (!element || element === document.body) { return null; }
    if (element.id) { return "#" + element.id; }
    if (element.tagName === "A") { return "a|" + element.getAttribute("href"); }
    if (element.tagName === "BUTTON" && element.form) {
      return "button|" + element.form.getAttribute("action") + "|" + element.textContent.trim();
    }
    return null;
  }

  function find(key) {
    var root = board();
    if (!root || !key) { return null; }
    if (key.charAt(0) === "#") { return document.getElementById(key.slice(1)); }
    var parts = key.split("|");
    if (parts[0] === "a") { return root.querySelector('a[href="' + CSS.escape(parts[1]) + '"]'); }
    var found = null;
    root.querySelectorAll("form").forEach(function (form) {
      if (found || form.getAttribute("action") !== parts[1]) { return; }
      form.querySelectorAll("button").forEach(function (button) {
        if (!found && button.textContent.trim() === parts.slice(2).join("|")) { found = button; }
      });
    });
    return found;
  }

  function states() {
    var seen = {};
    var root = board();
    if (!root) { return seen; }
    root.querySelectorAll("[data-tile][data-state]").forEach(function (tile) {
      var label = tile.querySelector(".tile-label");
      var tag = tile.querySelector(".tile-tag");
      seen[tile.getAttribute("data-tile")] = {
        state: tile.getAttribute("data-state"),
        name: (label ? label.textContent.trim() : (tag ? tag.textContent.trim() : word("a_client")))
      };
    });
    return seen;
  }

  function announce() {
    var now = states();
    var region = document.querySelector("[data-board-announce]");
    if (lastStates && region) {
      var said = [];
      Object.keys(now).forEach(function (id) {
        var before = lastStates[id];
        var words = STATES[now[id].state] && word(STATES[now[id].state]);
        if (words && (!before || before.state !== now[id].state)) {
          said.push(word("changed", { name: now[id].name, state: words }));
        }
      });
      if (said.length) { region.textContent = said.join(". ") + "."; }
    }
    lastStates = now;
  }

  function showPause() {
    var button = document.querySelector("[data-board-pause]");
    var note = document.querySelector("[data-board-paused]");
    if (!button || !note) { return; }
    var paused = Date.now() < pausedUntil;
    button.setAttribute("aria-pressed", paused ? "true" : "false");
    button.textContent = paused ? word("resume") : word("pause");
    note.hidden = !paused;
    if (paused) {
      var minutes = Math.ceil((pausedUntil - Date.now()) / 60000);
      note.textContent = word(minutes === 1 ? "paused_one" : "paused_other", { num: minutes });
    }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "board" && Date.now() < pausedUntil) {
      event.preventDefault();
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.elt && event.detail.elt.id === "board") {
      var active = document.activeElement;
      focusKey = active && board() && board().contains(active) ? keyOf(active) : null;
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!board() || !(event.detail.elt === board() || event.detail.elt.id === "board")) { return; }
    if (focusKey) {
      var again = find(focusKey);
      if (again) { again.focus({ preventScroll: true }); }
      focusKey = null;
    }
    announce();
  });

  document.addEventListener("DOMContentLoaded", function () {
    var controls = document.querySelector("[data-board-updates]");
    if (!controls || !board()) { return; }
    controls.hidden = false;
    lastStates = states();
    document.querySelector("[data-board-pause]").addEventListener("click", function () {
      pausedUntil = Date.now() < pausedUntil ? 0 : Date.now() + PAUSE_MS;
      showPause();
    });
    setInterval(function () {
      if (pausedUntil && Date.now() >= pausedUntil) { pausedUntil = 0; }
      showPause();
    }, 1000);
  });
})();
