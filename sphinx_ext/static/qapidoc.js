/* qapidoc: open the collapsed <details> holding the element the URL points
   at, and make an item's name its permalink (items carry no link markup:
   thousands of them on one page). */
(function () {
  "use strict";
  function reveal() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var opened = false;
    for (var node = target.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) {
        node.open = true;
        opened = true;
      }
    }
    if (target.tagName === "DETAILS" && !target.open) {
      target.open = true;
      opened = true;
    }
    if (opened) target.scrollIntoView();
  }
  document.addEventListener("DOMContentLoaded", reveal);
  window.addEventListener("hashchange", reveal);
  document.addEventListener("click", function (event) {
    var name = event.target.closest && event.target.closest(".qapi-item > p:first-child > code:first-child");
    var item = name && name.parentElement.parentElement;
    if (item && item.id) {
      window.location.hash = item.id;
    }
  });
})();
