/* Draws the process page's program (Mermaid text in #diagram-text) into #diagram. */
(function () {
  "use strict";
  var source = document.getElementById("diagram-text");
  var target = document.getElementById("diagram");
  if (!source || !target || !window.mermaid) return;
  window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", flowchart: { htmlLabels: false } });
  target.textContent = JSON.parse(source.textContent);
  window.mermaid.run({ nodes: [target] }).then(function () {
    target.dataset.drawn = "yes";
  });
})();
