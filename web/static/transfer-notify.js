// A browser notification when a transfer ends while this tab is in the background.
//
// Status lines marked data-notify="<what>" (Send, Receive, Upload) carry where a transfer
// stands in data-state (syncoxide_web.platform.dom.say). When that becomes final and the tab is
// hidden, one notification says how it ended, if the person turned notifications on. They turn
// them on with a check box marked data-notify-toggle; the browser's permission is asked only
// then, from that click, never on page load. The choice is kept in this browser.
(() => {
  "use strict";
  var PREFERENCE = "syncoxide.notifications";
  var ENDINGS = { verified: "finished", done: "finished", failed: "failed", cancelled: "stopped" };

  function wanted() {
    return (
      localStorage.getItem(PREFERENCE) === "on" &&
      "Notification" in window &&
      Notification.permission === "granted"
    );
  }

  function notify(line) {
    var ending = ENDINGS[line.dataset.state];
    if (!ending || document.visibilityState !== "hidden" || !wanted()) return;
    new Notification(`${line.dataset.notify} ${ending}`, {
      body: line.textContent.trim(),
      tag: `syncoxide-${line.id}`,
    });
  }

  function explain(toggle, text) {
    var line = document.getElementById(toggle.dataset.notifyToggle);
    if (line) line.textContent = text;
  }

  function showChoice() {
    document.querySelectorAll("input[data-notify-toggle]").forEach((toggle) => {
      toggle.checked = wanted();
    });
  }

  async function onToggle(event) {
    var toggle = event.target;
    if (!toggle.matches?.("input[data-notify-toggle]")) return;
    if (!toggle.checked) {
      localStorage.setItem(PREFERENCE, "off");
      explain(toggle, "Notifications are off.");
      showChoice();
      return;
    }
    if (!("Notification" in window)) {
      toggle.checked = false;
      explain(toggle, "This browser cannot show notifications.");
      return;
    }
    var answer = await Notification.requestPermission();
    if (answer !== "granted") {
      toggle.checked = false;
      explain(
        toggle,
        "The browser blocked notifications for this site: allow them in its site settings, then try again.",
      );
      return;
    }
    localStorage.setItem(PREFERENCE, "on");
    explain(toggle, "You will be told when a transfer ends while this tab is in the background.");
    showChoice();
  }

  new MutationObserver((changes) => {
    changes.forEach((change) => {
      if (change.target.dataset?.notify !== undefined) notify(change.target);
    });
  }).observe(document.documentElement, {
    attributes: true,
    subtree: true,
    attributeFilter: ["data-state"],
  });
  document.addEventListener("change", onToggle);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showChoice);
  else showChoice();
})();
