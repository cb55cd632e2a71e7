/* newstrace report: click a passage to highlight it on both sides and bring its counterpart into view. */
(function () {
  "use strict";
  function scrollInto(el) {
    var pane = el.closest(".pane-body");
    if (!pane) { el.scrollIntoView({block: "center"}); return; }
    var r = el.getBoundingClientRect(), pr = pane.getBoundingClientRect();
    pane.scrollTop += (r.top - pr.top) - pane.clientHeight / 4;
    var page = pane.getBoundingClientRect();
    if (page.top < 0 || page.top > window.innerHeight * 0.6) { pane.scrollIntoView({block: "start"}); }
  }
  function show(p, from) {
    if (!/^[0-9]+$/.test(p)) { return; }
    document.querySelectorAll(".hl").forEach(function (e) { e.classList.remove("hl"); });
    document.querySelectorAll('[data-p="' + p + '"]').forEach(function (e) { e.classList.add("hl"); });
    ["left", "right"].forEach(function (side) {
      if (side === from) { return; }
      var first = document.querySelector('.text[data-side="' + side + '"] [data-p="' + p + '"]');
      if (first) { scrollInto(first); }
    });
  }
  document.addEventListener("click", function (ev) {
    var t = ev.target.closest("[data-p]");
    if (!t) { return; }
    var text = t.closest(".text");
    show(t.getAttribute("data-p"), text ? text.getAttribute("data-side") : null);
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") { return; }
    var t = ev.target.closest && ev.target.closest("tr[data-p]");
    if (t) { show(t.getAttribute("data-p"), null); }
  });
})();
