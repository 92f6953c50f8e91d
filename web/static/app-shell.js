// The app shell before and after Python: navigation between views, and actions that wait.
//
// The server sends every view's layout, so the app can be read, navigated and filled in while
// Pyodide starts in the background. Navigation is plain JavaScript (the URL hash names the
// view) and never needs Python. A button pressed, a form submitted or a file picked before
// Python has wired its view is held: the control shows that it waits, the banner says so in
// words, and once <html data-ready="1"> and its view's data-wired="1" (a view Python wires
// says data-wired="0" until then) the held actions run in the order they were asked for.
// If Python cannot start, boot.js shows why and the held actions are dropped.
(() => {
  "use strict";
  var VIEWS = "#views";
  var held = []; // [{control, replay}] in the order asked, one per control

  function root() {
    return document.documentElement;
  }
  function ready() {
    return root().dataset.ready === "1";
  }
  function failed() {
    return root().dataset.ready === "error";
  }
  // Whether Python handles this control now: it is running and has wired the control's view.
  function live(control) {
    var view = control.closest?.(`${VIEWS} > section[data-view]`);
    return ready() && !(view && view.dataset.wired === "0");
  }

  // ---- navigation ------------------------------------------------------------------------
  function viewKey() {
    var key = location.hash.replace(/^#\/?/, "");
    var known = document.querySelector(`${VIEWS} > section[data-view="${CSS.escape(key)}"]`);
    return key && known ? key : "home";
  }

  // Shows the view the hash names. Opened by the user (not on load), it also moves focus to
  // the view's heading, so a keyboard or screen reader user lands where the new view starts;
  // the tab's title names the view either way.
  function showView(event) {
    var key = viewKey();
    var shown = null;
    document.querySelectorAll(`${VIEWS} > section[data-view]`).forEach((section) => {
      section.hidden = section.dataset.view !== key;
      if (!section.hidden) shown = section;
    });
    document.querySelectorAll("#main-nav a[data-view]").forEach((link) => {
      if (link.dataset.view === key) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
    if (!shown) return;
    var heading = shown.querySelector("h1");
    document.title = heading ? `${heading.textContent.trim()} · syncoxide` : "syncoxide";
    if (event && event.type === "hashchange" && window.syncoxideFocusContent) {
      window.syncoxideFocusContent();
    }
  }

  // ---- actions before Python ---------------------------------------------------------------
  function label(control) {
    var text = (
      control.textContent ||
      control.value ||
      control.getAttribute("aria-label") ||
      ""
    ).trim();
    return text ? `“${text}”` : "This action";
  }

  function say(text) {
    var line = document.getElementById("boot-waiting");
    if (!line) return;
    line.textContent = text;
    line.hidden = !text;
  }

  function hold(control, replay, what) {
    if (live(control) || failed()) return false;
    if (!held.some((entry) => entry.control === control)) {
      held.push({ control: control, replay: replay });
    }
    control.setAttribute("data-waiting", "");
    control.setAttribute("aria-busy", "true");
    say(`${what} will run as soon as Python has started.`);
    return true;
  }

  // Runs the held actions whose views are live now, in order; drops them all on failure.
  function release() {
    var now = held.filter((entry) => failed() || live(entry.control));
    held = held.filter((entry) => now.indexOf(entry) === -1);
    if (!held.length) say("");
    now.forEach((entry) => {
      entry.control.removeAttribute("data-waiting");
      entry.control.removeAttribute("aria-busy");
      if (!failed()) entry.replay();
    });
  }

  function onClick(event) {
    if (failed()) return;
    var control = event.target.closest?.(`${VIEWS} button`);
    if (!control || control.disabled || live(control)) return;
    if (control.type === "submit" && control.form) return; // held as the form's submit, below
    event.preventDefault();
    event.stopImmediatePropagation();
    hold(
      control,
      () => {
        control.click();
      },
      label(control),
    );
  }

  function onSubmit(event) {
    var form = event.target;
    if (failed() || !form.closest || !form.closest(VIEWS) || live(form)) return;
    if (form.hasAttribute("action")) return; // a plain form to the server: needs no Python
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter =
      event.submitter || form.querySelector("button[type=submit], button:not([type])");
    hold(
      submitter || form,
      () => {
        if (submitter) form.requestSubmit(submitter);
        else form.requestSubmit();
      },
      label(submitter || form),
    );
  }

  function onChange(event) {
    var input = event.target;
    if (failed() || !input.closest || !input.closest(VIEWS) || input.type !== "file") return;
    if (live(input)) return;
    // The picked files stay on the input; Python sees them when the change is sent again.
    hold(
      input,
      () => {
        input.dispatchEvent(new Event("change", { bubbles: true }));
      },
      "Reading the files you picked",
    );
  }

  document.addEventListener("click", onClick, true);
  document.addEventListener("submit", onSubmit, true);
  document.addEventListener("change", onChange, true);

  new MutationObserver(() => {
    if (held.length && (ready() || failed())) release();
  }).observe(root(), {
    attributes: true,
    subtree: true,
    attributeFilter: ["data-ready", "data-wired"],
  });

  window.addEventListener("hashchange", showView);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showView);
  else showView();
})();
