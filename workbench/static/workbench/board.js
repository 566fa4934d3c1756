/* The board keeps the tab the operator chose while its lists refresh on a push: the tab is
 * remembered when it is clicked (not read from the page when a refresh starts), asked for by
 * the refresh, and shown again if a refresh already on its way brought another (after HTMX has
 * settled the swap: settling copies the new attributes onto the old elements), link and pane
 * together. The panes do not fade: Bootstrap then switches a tab at once, with no callback left
 * to run after a refresh has settled. */
(function () {
  "use strict";
  var lists = document.getElementById("board-lists");
  if (!lists) return;

  function activeTab() {
    var link = lists.querySelector(".nav-link.active");
    return (link && link.dataset.tab) || "public";
  }

  lists.dataset.tab = activeTab();
  lists.addEventListener("click", function (event) {
    var link = event.target.closest("[data-tab]");
    if (link) lists.dataset.tab = link.dataset.tab;
  });
  lists.addEventListener("htmx:afterSettle", function (event) {
    if (event.target !== lists) return;
    /* Shown again even when its link already looks active: a refresh that settles while a tab
     * is being switched can leave the link active and its pane hidden. */
    var wanted = lists.querySelector('[data-tab="' + lists.dataset.tab + '"]');
    if (!wanted) {
      lists.dataset.tab = activeTab(); /* the tab is gone (no decisions left, say) */
      return;
    }
    lists.querySelectorAll(".nav-link").forEach(function (link) {
      var on = link === wanted;
      link.classList.toggle("active", on);
      link.setAttribute("aria-selected", on ? "true" : "false");
    });
    lists.querySelectorAll(".tab-pane").forEach(function (pane) {
      var on = "#" + pane.id === wanted.dataset.bsTarget;
      pane.classList.toggle("active", on);
      pane.classList.toggle("show", on);
    });
  });
})();
