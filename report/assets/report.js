// cartsim report: renders the page's Vega plots and the log/linear buttons. window.cartsimReport
// exposes `ready` (a promise resolved when every plot has rendered, with the time it took) and
// `count()` (drawn items per plot), which the browser tests read.
(function () {
  'use strict';
  var plots = JSON.parse(document.getElementById('cartsim-plots').textContent);
  var views = {};

  function specFor(p) {
    var spec = JSON.parse(JSON.stringify(p.spec));
    (spec.signals || []).forEach(function (s) {
      if (s.name === 'logy') { s.value = !!p.log; }
    });
    (spec.scales || []).forEach(function (s) {
      if (s.name === 'y') { s.type = p.log ? 'log' : 'linear'; if (p.log) { s.zero = false; } }
    });
    return spec;
  }

  function render(p) {
    var figure = document.getElementById(p.id);
    var target = figure.querySelector('.vega');
    var old = views[p.id];
    // Keep the values picked in the select boxes across a re-render.
    var kept = {};
    if (old) {
      (p.spec.signals || []).forEach(function (s) {
        if (s.bind) { kept[s.name] = old.signal(s.name); }
      });
      old.finalize();
      target.innerHTML = '';
    }
    var view = new vega.View(vega.parse(specFor(p)), {
      renderer: p.renderer || 'svg', container: target, hover: true
    });
    Object.keys(kept).forEach(function (k) { view.signal(k, kept[k]); });
    views[p.id] = view;
    var button = figure.querySelector('button.scale');
    if (button) {
      button.textContent = 'y axis: ' + (p.log ? 'log' : 'linear') + ' (switch to ' +
        (p.log ? 'linear' : 'log') + ')';
    }
    return view.runAsync();
  }

  plots.forEach(function (p) {
    var button = document.getElementById(p.id).querySelector('button.scale');
    if (button) {
      button.addEventListener('click', function () { p.log = !p.log; render(p); });
    }
  });

  function countItems(scene, out) {
    if (!scene) { return; }
    var items = scene.items || [];
    if (scene.marktype && scene.name && scene.name.indexOf('data_') === 0) {
      out[scene.name] = (out[scene.name] || 0) + items.length;
    }
    items.forEach(function (item) {
      (item.items || []).forEach(function (child) { countItems(child, out); });
    });
  }

  var started = performance.now();
  window.cartsimReport = {
    plots: plots.map(function (p) { return p.id; }),
    ready: Promise.all(plots.map(render)).then(function () {
      document.documentElement.setAttribute('data-ready', '1');
      return { plots: plots.length, render_ms: performance.now() - started,
               since_navigation_ms: performance.now() };
    }),
    count: function () {
      var result = {};
      plots.forEach(function (p) {
        var marks = {};
        countItems(views[p.id].scenegraph().root, marks);
        var total = 0;
        Object.keys(marks).forEach(function (k) { total += marks[k]; });
        var svg = document.getElementById(p.id).querySelector('svg');
        result[p.id] = { title: p.title, renderer: p.renderer, marks: marks, total: total,
                         svg_elements: svg ? svg.querySelectorAll('path, rect, line, text').length : 0 };
      });
      return result;
    },
    isLog: function (id) {
      return plots.filter(function (q) { return q.id === id; })[0].log;
    },
    setLog: function (id, log) {
      var p = plots.filter(function (q) { return q.id === id; })[0];
      p.log = log;
      return render(p);
    }
  };
})();
