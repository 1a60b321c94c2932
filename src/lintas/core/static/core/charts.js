// Draws every <canvas data-chart="id-of-a-json_script-block"> with Chart.js (lintas.core.charts.Chart.spec), loading
// Chart.js only on pages that have a chart. The figures are also in a table under each chart, so nothing depends on
// this script. Content-Security-Policy: no inline script or style is used; Chart.js sizes the canvas through CSSOM.
(function () {
  "use strict";
  function draw(canvas) {
    if (canvas.dataset.drawn) return;
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var horizontal = spec.kind === "hbar";
    canvas.dataset.drawn = "1";
    new window.Chart(canvas, {
      type: spec.kind === "line" ? "line" : "bar",
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (s, i) {
          var colour = spec.palette[i % spec.palette.length];
          return { label: s.name, data: s.values, backgroundColor: colour, borderColor: colour, spanGaps: false };
        }),
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: spec.series.length > 1 } },
        scales: { x: { beginAtZero: true }, y: { beginAtZero: true } },
      },
    });
  }
  function drawAll(root) {
    var canvases = (root || document).querySelectorAll("canvas[data-chart]");
    if (!canvases.length) return;
    if (window.Chart) { canvases.forEach(draw); return; }
    var me = document.querySelector("script[data-chartjs]");
    var script = document.createElement("script");
    script.src = me.dataset.chartjs;
    script.onload = function () { document.querySelectorAll("canvas[data-chart]").forEach(draw); };
    document.head.appendChild(script);
  }
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
