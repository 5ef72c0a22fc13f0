/* Cadre, progressive enhancement only: every page works without this file.
 * 1. Show times in the browser's own time zone (Intl), unless one was chosen.
 * 2. Turn the week of free times into a day picker (tabs, arrow keys).
 * 3. Say which time is chosen next to the submit button.
 */
(function () {
  "use strict";

  function detectZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }

  function followBrowserZone() {
    var body = document.body;
    var shown = body.getAttribute("data-zone");
    if (!shown || body.getAttribute("data-zone-explicit") === "true") return false;
    var zone = detectZone();
    if (!zone || zone === shown) return false;
    var select = document.querySelector("[data-zone-select]");
    if (select && !Array.prototype.some.call(select.options, function (o) { return o.value === zone; })) return false;
    var url = new URL(window.location.href);
    url.searchParams.set("tz", zone);
    window.location.replace(url.toString());
    return true;
  }

  function dayPicker(root) {
    var container = root.querySelector(".days");
    var days = Array.prototype.slice.call(root.querySelectorAll(".day"));
    if (!container || days.length < 2) return;
    var tabs = document.createElement("div");
    tabs.className = "day-tabs";
    tabs.setAttribute("role", "tablist");
    tabs.setAttribute("aria-label", root.querySelector("legend") ? root.querySelector("legend").textContent : "");
    var buttons = days.map(function (day, i) {
      var button = document.createElement("button");
      var count = day.querySelectorAll("[data-slot-start]").length;
      button.type = "button";
      button.id = "tab-" + day.getAttribute("data-day");
      button.setAttribute("role", "tab");
      button.setAttribute("aria-controls", day.id || (day.id = "panel-" + day.getAttribute("data-day")));
      button.textContent = day.getAttribute("data-day-short");
      var small = document.createElement("small");
      small.textContent = count ? String(count) : "–";
      small.setAttribute("aria-hidden", "true");
      button.appendChild(small);
      if (!count) button.setAttribute("aria-disabled", "true");
      day.setAttribute("role", "tabpanel");
      day.setAttribute("aria-labelledby", button.id);
      button.addEventListener("click", function () { select(i, true); });
      button.addEventListener("keydown", function (event) {
        var step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
        if (event.key === "Home") step = -i;
        if (event.key === "End") step = days.length - 1 - i;
        if (step === undefined) return;
        event.preventDefault();
        var next = Math.max(0, Math.min(days.length - 1, i + step));
        select(next, true);
        buttons[next].focus();
      });
      tabs.appendChild(button);
      return button;
    });
    function select(index) {
      days.forEach(function (day, j) {
        day.hidden = j !== index;
        buttons[j].setAttribute("aria-selected", j === index ? "true" : "false");
        buttons[j].tabIndex = j === index ? 0 : -1;
      });
    }
    var checked = root.querySelector("input[name=start]:checked");
    var first = days.findIndex(function (day) { return checked ? day.contains(checked) : day.querySelector("[data-slot-start]"); });
    container.parentNode.insertBefore(tabs, container);
    container.classList.add("js-days");
    select(first < 0 ? 0 : first);
  }

  function choiceSummary(form) {
    var summary = form.querySelector("[data-choice-summary]");
    if (!summary) return;
    form.addEventListener("change", function (event) {
      var input = event.target;
      if (input.name !== "start") return;
      var label = input.getAttribute("aria-label") || (input.nextElementSibling && input.nextElementSibling.textContent);
      summary.textContent = (summary.getAttribute("data-prefix") || "") + label;
      summary.hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (followBrowserZone()) return;
    Array.prototype.forEach.call(document.querySelectorAll("[data-day-picker]"), dayPicker);
    Array.prototype.forEach.call(document.querySelectorAll("form"), choiceSummary);
  });
})();
