/* Harbour: an accessibility repair for Dash 4's Checklist and RadioItems.
 *
 * They render as role="listbox" holding role="option" labels that wrap native checkboxes or radio
 * buttons: the listbox has no accessible name and the options nest interactive controls (axe:
 * aria-input-field-name, nested-interactive). Each sits in a <fieldset> with a <legend>, so the
 * native inputs are already named and grouped: removing the ARIA roles leaves plain, accessible
 * form controls. An observer repeats the repair whenever Dash renders or updates them.
 */
(function () {
  function repair(root) {
    root.querySelectorAll('.dash-options-list[role="listbox"]').forEach(function (list) {
      list.removeAttribute("role");
    });
    root.querySelectorAll('.dash-options-list [role="option"]').forEach(function (option) {
      option.removeAttribute("role");
      option.removeAttribute("aria-selected");
    });
  }
  function start() {
    repair(document);
    new MutationObserver(function () { repair(document); }).observe(document.body, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["role", "aria-selected"]
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
