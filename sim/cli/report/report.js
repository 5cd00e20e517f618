/* report.js - kasim report's timeline: one connection's segments on a time
 * axis, client lane above, server lane below; the wheel zooms, dragging
 * pans, hovering a segment shows its fields.  Data: #kasim-data (JSON). */
(function () {
  "use strict";
  var errors = document.getElementById("errors");
  window.addEventListener("error", function (e) {
    errors.textContent += "script error: " + e.message + "\n";
  });
  var data = JSON.parse(document.getElementById("kasim-data").textContent);
  var box = document.getElementById("tl-box"), info = document.getElementById("tl-info");
  var NS = "http://www.w3.org/2000/svg", W = 1000, H = 260, L = 70, R = 20;
  var YC = 70, YS = 190, colour = {handshake: "#6a3d9a", data: "#2c5aa0", retransmission: "#2c5aa0",
    ack: "#888", keepalive: "#e66100", keepalive_ack: "#1b9e77", rst: "#c51b7d"};
  var evs = data.events || [];
  if (!box || evs.length === 0) { document.body.setAttribute("data-ready", "yes"); return; }
  var t0 = evs[0].t, t1 = evs[evs.length - 1].t;
  if (t1 <= t0) t1 = t0 + 1;
  var pad = (t1 - t0) * 0.02, view = [t0 - pad, t1 + pad];
  var svg = document.createElementNS(NS, "svg");
  svg.setAttribute("id", "tl-svg");
  svg.setAttribute("viewBox", "0 0 " + W + " " + H);
  box.appendChild(svg);

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    (parent || svg).appendChild(e);
    return e;
  }
  function x(t) { return L + (t - view[0]) / (view[1] - view[0]) * (W - L - R); }
  function fields(e) {
    var s = e.t.toFixed(6) + " s  " + e.ev;
    ["dir", "kind", "flags", "seq", "ack", "len", "what", "error"].forEach(function (k) {
      if (e[k] !== undefined && e[k] !== null) s += "  " + k + "=" + e[k];
    });
    return s;
  }
  /* Each send with its fate: the delivery or drop of the same segment. */
  var segs = [], used = {};
  evs.forEach(function (e, i) {
    if (e.ev !== "send") return;
    for (var j = i + 1; j < evs.length; j++) {
      var f = evs[j];
      if (!used[j] && (f.ev === "deliver" || f.ev === "drop") && f.dir === e.dir &&
          f.seq === e.seq && f.ack === e.ack && f.flags === e.flags && f.kind === e.kind) {
        used[j] = true;
        segs.push({send: e, end: f});
        return;
      }
    }
    segs.push({send: e, end: null});
  });
  /* A delivery or drop whose send is not in the trace (--trace failures
   * keeps a connection's events from its first lost segment on): drawn
   * from itself. */
  evs.forEach(function (e, i) {
    if ((e.ev === "deliver" || e.ev === "drop") && !used[i]) segs.push({send: e, end: e});
  });
  function draw() {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    el("line", {x1: L, x2: W - R, y1: YC, y2: YC, stroke: "#222", "stroke-width": 2});
    el("line", {x1: L, x2: W - R, y1: YS, y2: YS, stroke: "#222", "stroke-width": 2});
    el("text", {x: 4, y: YC + 5, "font-size": 14}).textContent = "client";
    el("text", {x: 4, y: YS + 5, "font-size": 14}).textContent = "server";
    for (var k = 0; k <= 5; k++) {
      var t = view[0] + (view[1] - view[0]) * k / 5;
      el("text", {x: x(t), y: H - 8, "font-size": 12, "text-anchor": "middle", fill: "#666"})
          .textContent = t.toFixed(t < 100 ? 3 : 1) + " s";
    }
    evs.forEach(function (e) {
      if (e.ev !== "scenario" && e.ev !== "close") return;
      var g = el("g", {class: "ev"});
      el("line", {x1: x(e.t), x2: x(e.t), y1: 20, y2: H - 30,
                  stroke: e.ev === "close" ? "#d62728" : "#888", "stroke-dasharray": "6 4"}, g);
      var right = x(e.t) > W * 0.75;
      /* Closes a row below the scenario's events: a give-up near a link's
       * failure must not write over its name. */
      el("text", {x: x(e.t) + (right ? -4 : 4), y: e.ev === "close" ? 32 : 16, "font-size": 12,
                  "text-anchor": right ? "end" : "start",
                  fill: e.ev === "close" ? "#d62728" : "#555"}, g).textContent =
          e.ev === "close" ? "close: " + e.what : e.what + " " + (e.target_name || "");
      el("title", {}, g).textContent = fields(e);
    });
    segs.forEach(function (s) {
      var e = s.send, up = e.dir === "c2s", y0 = up ? YC : YS, y1 = up ? YS : YC;
      var lost = !s.end || s.end.ev === "drop";
      var xe = s.end ? x(s.end.t) : x(e.t) + 10, ye = lost ? (y0 + y1) / 2 : y1;
      var g = el("g", {class: "seg"});
      var c = colour[e.kind] || "#888";
      el("line", {x1: x(e.t), y1: y0, x2: xe, y2: ye, stroke: c, "stroke-width": 3}, g);
      if (lost) {
        el("path", {d: "M" + (xe - 6) + " " + (ye - 6) + "l12 12m0 -12l-12 12",
                    stroke: "#d62728", "stroke-width": 3}, g);
      }
      var text = fields(e) + (s.end ? "\n-> " + fields(s.end) : "\n-> in flight at the end");
      el("title", {}, g).textContent = text;
      g.addEventListener("mouseover", function () { info.textContent = text; });
    });
  }
  box.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var r = svg.getBoundingClientRect(), fx = ((ev.clientX - r.left) / r.width * W - L) / (W - L - R);
    var at = view[0] + fx * (view[1] - view[0]), k = ev.deltaY < 0 ? 0.8 : 1.25;
    view = [at - (at - view[0]) * k, at + (view[1] - at) * k];
    draw();
  }, {passive: false});
  var drag = null;
  box.addEventListener("mousedown", function (ev) { drag = {x: ev.clientX, v: view.slice()}; });
  window.addEventListener("mouseup", function () { drag = null; });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) return;
    var r = svg.getBoundingClientRect(), dt = (ev.clientX - drag.x) / r.width * W /
        (W - L - R) * (drag.v[1] - drag.v[0]);
    view = [drag.v[0] - dt, drag.v[1] - dt];
    draw();
  });
  function zoom(k) {
    var m = (view[0] + view[1]) / 2, h = (view[1] - view[0]) / 2 * k;
    view = [m - h, m + h];
    draw();
  }
  document.getElementById("tl-in").onclick = function () { zoom(0.5); };
  document.getElementById("tl-out").onclick = function () { zoom(2); };
  document.getElementById("tl-fit").onclick = function () { view = [t0 - pad, t1 + pad]; draw(); };
  draw();
  document.body.setAttribute("data-ready", "yes");
})();
