/* Gonghui page behaviour. No inline scripts: the CSP allows scripts from 'self' only. */
(function () {
  "use strict";

  // Forms with data-confirm ask before submitting (deletes, revocations, withdrawals).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // htmx: swap 400/403 answers too, so a refusal shows where the user clicked.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 403) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Role form: show the enterprise / department pickers only for roles that need them.
  function syncRoleFields(select) {
    var form = select.form;
    if (!form) { return; }
    form.querySelectorAll("[data-role-only]").forEach(function (el) {
      var show = el.getAttribute("data-role-only") === select.value;
      el.hidden = !show;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-role-select]")) {
      syncRoleFields(event.target);
    }
  });
  // A table that scrolls sideways inside its card can be scrolled from the keyboard too
  // (focusable, with a visible focus ring), as WCAG asks of scrollable regions.
  function focusableScrollers(root) {
    (root || document).querySelectorAll(".table-wrap").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1) {
        el.setAttribute("tabindex", "0");
      } else {
        el.removeAttribute("tabindex");
      }
    });
  }
  window.addEventListener("resize", function () { focusableScrollers(); });
  document.addEventListener("htmx:afterSettle", function () { focusableScrollers(); });

  document.addEventListener("DOMContentLoaded", function () {
    focusableScrollers();
    document.querySelectorAll("select[data-role-select]").forEach(syncRoleFields);
    // On a phone the console nav is a scrolling strip: bring the current page into view.
    // A form sent back with errors: bring its summary (or first bad field) into view.
    var summary = document.querySelector("[data-error-summary]") ||
      document.querySelector(".field-error, [aria-invalid='true']");
    if (summary && summary.scrollIntoView) {
      summary.scrollIntoView({ block: "center" });
      if (summary.hasAttribute("tabindex")) { summary.focus({ preventScroll: true }); }
    }
    var current = document.querySelector(".console-nav a[aria-current='page']");
    var strip = current && current.closest(".console-nav");
    // Only the nav strip scrolls (sideways, on a phone); the page itself stays at the top.
    if (strip && strip.scrollWidth > strip.clientWidth) {
      strip.scrollLeft = current.offsetLeft - strip.clientWidth / 2 + current.offsetWidth / 2;
    }
  });
})();
