/* Draws every program of the page (Mermaid text in #diagrams) and makes each node open its rule. */
(function () {
  "use strict";
  var source = document.getElementById("diagrams");
  if (!source || !window.mermaid) return;
  window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", flowchart: { htmlLabels: false } });
  var diagrams = JSON.parse(source.textContent);
  diagrams.forEach(function (diagram) {
    var target = document.querySelector('[data-diagram="' + diagram.name + '"]');
    if (!target) return;
    target.textContent = diagram.mermaid;
    window.mermaid.run({ nodes: [target] }).then(function () {
      target.querySelectorAll("g.node").forEach(function (node) {
        // Mermaid names a node's group "[<diagram>-]flowchart-<id>-<n>".
        var match = /(?:^|-)flowchart-(.+)-\d+$/.exec(node.id || "");
        var href = match && diagram.links[match[1]];
        if (!href) return;
        node.classList.add("linked");
        node.setAttribute("role", "link");
        node.setAttribute("tabindex", "0");
        node.dataset.href = href;
        var open = function () {
          if (href.charAt(0) !== "#") {
            window.location.assign(href); // the rule in the programs editor
            return;
          }
          window.location.hash = href.slice(1);
          var row = document.getElementById(href.slice(1));
          if (row) {
            var details = row.closest("details");
            if (details) details.open = true;
            row.classList.add("table-warning");
            row.scrollIntoView({ block: "center" });
          }
        };
        node.addEventListener("click", open);
        node.addEventListener("keydown", function (e) { if (e.key === "Enter") open(); });
      });
      target.dataset.drawn = "yes";
    }).catch(function (error) {
      target.textContent = String((error && (error.message || error.str)) || error);
      target.dataset.drawn = "error";
    });
  });
})();

/* Job rows poll every second (hx-trigger on the row). A poll that is lost while the server
 * restarts (the development server reloads generated code) can leave a row waiting on a request
 * that never answers: when no job row has had an answer for 6 s, each unfinished row is asked
 * for again, from a fresh element so that nothing in flight blocks it. */
(function () {
  "use strict";
  var answered = Date.now();
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.classList && elt.classList.contains("design-job")) answered = Date.now();
  });
  window.setInterval(function () {
    if (!window.htmx || Date.now() - answered < 6000) return;
    answered = Date.now();
    document.querySelectorAll("tbody.design-job[hx-get]").forEach(function (row) {
      var fresh = row.cloneNode(true);
      row.replaceWith(fresh);
      window.htmx.process(fresh);
      window.htmx.ajax("GET", fresh.getAttribute("hx-get"), { source: fresh, target: fresh, swap: "outerHTML" });
    });
  }, 2000);
})();

/* A step's button whose request never reached the server (the development server restarts for a
 * few seconds after generating), or got no answer within 10 s (a server on its way down can
 * accept a request it will never answer: the form's hx-request timeout), says so instead of
 * doing nothing; the next try hides it. */
(function () {
  "use strict";
  var notice = document.getElementById("server-unreachable");
  if (!notice) return;
  var fromJobForm = function (event) {
    var detail = event.detail || {};
    var elt = detail.elt;
    if (elt && elt.closest && elt.closest("[data-job-form]")) return true;
    /* htmx can report a failed request on another element than its form (the job list, seen
     * for a click right after a job's last poll): the request still says it started a job. */
    var config = detail.requestConfig;
    return !!(config && config.verb === "post" && /\/jobs\/[a-z]+\/$/.test(config.path || ""));
  };
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (fromJobForm(event)) notice.classList.add("d-none"); /* a new try: its own outcome shows */
  });
  document.addEventListener("htmx:sendError", function (event) {
    if (fromJobForm(event)) notice.classList.remove("d-none");
  });
  document.addEventListener("htmx:responseError", function (event) {
    if (fromJobForm(event)) notice.classList.remove("d-none");
  });
  document.addEventListener("htmx:timeout", function (event) {
    if (fromJobForm(event)) notice.classList.remove("d-none");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (fromJobForm(event) && event.detail.successful) notice.classList.add("d-none");
  });
})();
