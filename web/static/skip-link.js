// "Skip to content" without touching the URL's fragment: the app names its view there and the
// receive page its token, so a plain jump to #content would lose either. The skip link moves
// focus to the heading of what is on screen (or the main area), and so does opening a view.
(() => {
  "use strict";

  function visibleHeading(area) {
    var headings = Array.from(area.querySelectorAll("h1"));
    return headings.find((heading) => heading.offsetParent !== null) || null;
  }

  // Focuses the on-screen heading of <main> (made focusable by script, not by Tab).
  function focusContent() {
    var area = document.getElementById("content");
    if (!area) return;
    var target = visibleHeading(area) || area;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  }

  window.syncoxideFocusContent = focusContent;
  document.addEventListener("click", (event) => {
    var link = event.target.closest?.("a.skip-link");
    if (!link) return;
    event.preventDefault();
    focusContent();
  });
})();
