/* Heat map drawn in the browser from the stored Grad-CAM grid, plus its toggle and opacity.
 * The grid (rows x cols values in 0..1) covers the part of the photo the model saw (data-box,
 * fractions); it is upsampled bilinearly and coloured with the same ramp as ml/overlay.py
 * (alpha grows with the square root of the heat, at most 0.75). Delegated listeners, because
 * htmx swaps the result panel in after the page has loaded. An <img> layer (older rows with a
 * PNG) gets the same controls. Works under the CSP: no inline script, no eval. */
(function () {
  "use strict";
  var ANCHORS = [[48, 18, 59], [50, 110, 220], [30, 190, 170], [160, 230, 60], [250, 190, 40], [230, 60, 20]];
  var MAX_ALPHA = 0.75;
  var LONG_SIDE = 320; // canvas pixels; CSS stretches it over the photo

  var LUT = (function () {
    var lut = [];
    for (var i = 0; i < 256; i++) {
      var x = i * (ANCHORS.length - 1) / 255;
      var lo = Math.min(Math.floor(x), ANCHORS.length - 2);
      var t = x - lo;
      lut.push([0, 1, 2].map(function (c) {
        return Math.floor((1 - t) * ANCHORS[lo][c] + t * ANCHORS[lo + 1][c]);
      }));
    }
    return lut;
  })();

  function numbers(text) {
    return (text || "").trim().split(/\s+/).map(Number);
  }

  function sample(values, rows, cols, y, x) {
    // Pixel-centre aligned bilinear interpolation, clamped at the edges.
    var fy = Math.min(Math.max(y, 0), rows - 1), fx = Math.min(Math.max(x, 0), cols - 1);
    var y0 = Math.floor(fy), x0 = Math.floor(fx);
    var y1 = Math.min(y0 + 1, rows - 1), x1 = Math.min(x0 + 1, cols - 1);
    var ty = fy - y0, tx = fx - x0;
    var top = values[y0 * cols + x0] * (1 - tx) + values[y0 * cols + x1] * tx;
    var bottom = values[y1 * cols + x0] * (1 - tx) + values[y1 * cols + x1] * tx;
    return top * (1 - ty) + bottom * ty;
  }

  function draw(canvas) {
    if (canvas.dataset.drawn) { return; }
    var rows = Number(canvas.dataset.rows), cols = Number(canvas.dataset.cols);
    var values = numbers(canvas.dataset.values), box = numbers(canvas.dataset.box);
    var pw = Number(canvas.dataset.photoWidth) || 4, ph = Number(canvas.dataset.photoHeight) || 3;
    if (!rows || !cols || values.length !== rows * cols || box.length !== 4) { return; }
    var scale = LONG_SIDE / Math.max(pw, ph);
    var w = Math.max(1, Math.round(pw * scale)), h = Math.max(1, Math.round(ph * scale));
    canvas.width = w;
    canvas.height = h;
    var left = Math.round(box[0] * w), top = Math.round(box[1] * h);
    var bw = Math.max(1, Math.round(box[2] * w) - left), bh = Math.max(1, Math.round(box[3] * h) - top);
    var ctx = canvas.getContext("2d");
    var image = ctx.createImageData(bw, bh);
    for (var y = 0; y < bh; y++) {
      for (var x = 0; x < bw; x++) {
        var v = sample(values, rows, cols, (y + 0.5) * rows / bh - 0.5, (x + 0.5) * cols / bw - 0.5);
        var heat = Math.min(255, Math.max(0, Math.floor(v * 255)));
        var colour = LUT[heat], i = (y * bw + x) * 4;
        image.data[i] = colour[0];
        image.data[i + 1] = colour[1];
        image.data[i + 2] = colour[2];
        image.data[i + 3] = Math.floor(Math.sqrt(heat / 255) * 255 * MAX_ALPHA);
      }
    }
    ctx.putImageData(image, left, top);
    canvas.dataset.drawn = "1";
  }

  function apply() {
    var heat = document.getElementById("heatmap-layer");
    if (!heat) { return; }
    if (heat.tagName === "CANVAS") { draw(heat); }
    var toggle = document.getElementById("heatmap-toggle");
    var range = document.getElementById("heatmap-opacity");
    var on = !toggle || toggle.checked;
    heat.style.opacity = on ? String((range ? range.value : 70) / 100) : "0";
    if (range) { range.disabled = !on; }
  }

  document.addEventListener("input", function (e) {
    if (e.target && (e.target.id === "heatmap-opacity" || e.target.id === "heatmap-toggle")) { apply(); }
  });
  document.addEventListener("change", function (e) {
    if (e.target && e.target.id === "heatmap-toggle") { apply(); }
  });
  document.addEventListener("htmx:afterSettle", apply);
  document.addEventListener("DOMContentLoaded", apply);
})();
