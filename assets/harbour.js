/* plotly.js: dcc.Graph loads it when the first chart is drawn, from window._dashPlotlyJSURL, which Dash's
 * renderer points at the plotly package's full bundle (4.8 MB). Harbour draws only scatter, bar and box
 * traces: the cartesian bundle of the same version (1.5 MB, in assets/vendor) draws them all. The URL is
 * fixed here, before the renderer starts, and the renderer's later assignment is ignored. */
(function () {
  var config = document.getElementById("_dash-config");
  var prefix = "/";
  try { prefix = JSON.parse(config.textContent).requests_pathname_prefix || "/"; } catch (e) { /* default */ }
  var url = prefix + "assets/vendor/plotly-cartesian-4.1.1.min.js?m=4.1.1";
  Object.defineProperty(window, "_dashPlotlyJSURL", {get: function () { return url; }, set: function () {},
                                                     configurable: false});
})();

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

/* Presentation mode: what a presenter's clicker sends moves between charts (Right or Page Down: next;
 * Left or Page Up: previous), and Escape leaves. The keys follow the page's own links. */
(function () {
  var KEYS = {ArrowRight: "present-next", PageDown: "present-next", ArrowLeft: "present-previous",
              PageUp: "present-previous", Escape: "present-leave"};
  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("presentation") || event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    var link = KEYS[event.key] && document.getElementById(KEYS[event.key]);
    if (link) {
      event.preventDefault();
      link.click();
    }
  });
})();

/* Long option lists in the filter bar (forces, nationalities) get a search field: typing narrows the list
 * to the options whose words contain it. Nothing is ever clipped; the chosen option always stays in view. */
(function () {
  var MANY = 10;
  function addSearch(list) {
    if (list.dataset.searchable || list.querySelectorAll(".dash-options-list-option").length <= MANY) return;
    list.dataset.searchable = "1";
    var legend = list.closest("fieldset") && list.closest("fieldset").querySelector("legend");
    var label = document.createElement("label");
    label.className = "choices-search";
    var input = document.createElement("input");
    input.type = "search";
    input.autocomplete = "off";
    label.appendChild(document.createTextNode("Search " + (legend ? legend.textContent.split(" (")[0].toLowerCase() : "options") + " "));
    label.appendChild(input);
    input.addEventListener("input", function () {
      var words = input.value.trim().toLowerCase();
      list.querySelectorAll(".dash-options-list-option").forEach(function (option) {
        var box = option.querySelector("input");
        var show = !words || option.textContent.toLowerCase().indexOf(words) !== -1 || (box && box.checked);
        option.style.display = show ? "" : "none";
      });
    });
    list.parentNode.insertBefore(label, list);
  }
  function start() {
    // The filter bar's lists, and /benchmark's peer group (43 forces on the national demo).
    var scan = function () { document.querySelectorAll("#filter-bar .choices, #bench-peers").forEach(addSearch); };
    scan();
    new MutationObserver(scan).observe(document.body, {childList: true, subtree: true});
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/* The navbar's Menu button, as a Dash clientside callback (components/filter_callbacks.py): it opens and
 * closes the page list; moving to another page closes it. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  harbour: {
    toggleNav: function (clicks, pathname, isOpen) {
      var trigger = (window.dash_clientside.callback_context.triggered || [])[0];
      var open = !!(trigger && trigger.prop_id === "nav-toggle.n_clicks" && !isOpen);
      return [open, open ? "true" : "false"];
    }
  }
});
