// Light, dark or as the system: the choice made in Settings, kept in this browser.
//
// Loaded before the page paints (not deferred), so a dark choice never flashes light. The
// stylesheet follows <html data-theme="light|dark">; with no attribute it follows the system.
(() => {
  "use strict";
  var KEY = "syncoxide.theme";
  var CHOICES = ["light", "dark"];

  function apply(choice) {
    if (CHOICES.includes(choice)) document.documentElement.dataset.theme = choice;
    else delete document.documentElement.dataset.theme;
  }

  function stored() {
    try {
      return localStorage.getItem(KEY) || "system";
    } catch (_error) {
      return "system"; // storage blocked: the system's choice
    }
  }

  apply(stored());
  document.addEventListener("change", (event) => {
    var radio = event.target;
    if (!radio.matches?.("input[type=radio][name=theme]")) return;
    localStorage.setItem(KEY, radio.value);
    apply(radio.value);
  });
  document.addEventListener("DOMContentLoaded", () => {
    var current = document.querySelector(`input[name=theme][value="${stored()}"]`);
    if (current) current.checked = true;
  });
})();
