"use strict";
// Filters the findings table by school, rule, severity, file and text. The filter is kept in
// the URL fragment (#school=0123456&severity=fatal), so a link or a bookmark opens it
// filtered. A select's "-" stands for rows that have no value (findings of no school).
(function () {
  var table = document.getElementById("findings");
  if (!table) return;
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
  var selects = ["school", "rule", "severity", "file"];
  var names = selects.concat(["q"]);
  var controls = {};
  names.forEach(function (n) { controls[n] = document.getElementById("filter-" + n); });
  var shown = document.getElementById("shown");
  var none = document.getElementById("no-match");

  function hasOption(select, value) {
    return Array.prototype.some.call(select.options, function (o) { return o.value === value; });
  }

  function read() {
    var values = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var eq = part.indexOf("=");
      if (eq < 0) return;
      try {
        values[decodeURIComponent(part.slice(0, eq))] = decodeURIComponent(part.slice(eq + 1).replace(/\+/g, " "));
      } catch (e) { /* a malformed fragment filters nothing */ }
    });
    names.forEach(function (n) {
      var c = controls[n], v = values[n] || "";
      c.value = c.tagName === "SELECT" && !hasOption(c, v) ? "" : v;
    });
  }

  function write() {
    var parts = [];
    names.forEach(function (n) {
      if (controls[n].value) parts.push(n + "=" + encodeURIComponent(controls[n].value));
    });
    var hash = parts.length ? "#" + parts.join("&") : "";
    if (hash === location.hash) return;
    var url = hash || location.pathname + location.search;
    try {
      history.replaceState(null, "", url);
    } catch (e) {
      location.replace(hash || "#");
    }
  }

  function apply() {
    var q = controls.q.value.trim().toLowerCase();
    var n = 0;
    rows.forEach(function (r, i) {
      var ok = selects.every(function (name) {
        var v = controls[name].value;
        return !v || r.dataset[name] === (v === "-" ? "" : v);
      }) && (!q || texts[i].indexOf(q) >= 0);
      r.hidden = !ok;
      if (ok) n += 1;
    });
    shown.textContent = "Showing " + n + " of " + rows.length + (rows.length === 1 ? " finding" : " findings");
    none.hidden = n > 0 || rows.length === 0;
  }

  names.forEach(function (n) {
    controls[n].addEventListener("input", function () { apply(); write(); });
  });
  document.getElementById("filters").addEventListener("reset", function () {
    setTimeout(function () { apply(); write(); }, 0);
  });
  document.getElementById("filters").addEventListener("submit", function (e) { e.preventDefault(); });
  window.addEventListener("hashchange", function () { read(); apply(); });
  read();
  apply();
})();
