/* Service reports: figures and bar charts from GET /api/reports (supervisor session cookie). */
(function () {
  'use strict';
  var main = document.getElementById('report');
  function el(tag, cls, text) { var n = document.createElement(tag); if (cls) n.className = cls; if (text !== undefined && text !== null) n.textContent = String(text); return n; }
  function fmt(seconds) { if (seconds === null || seconds === undefined) return '—'; return seconds < 120 ? seconds.toFixed(0) + ' s' : (seconds / 60).toFixed(1) + ' min'; }
  function card(title, body) { var s = el('section'); s.appendChild(el('h2', null, title)); body.forEach(function (b) { s.appendChild(b); }); main.appendChild(s); return s; }
  function bars(counts) {
    var keys = Object.keys(counts); var max = Math.max.apply(null, keys.map(function (k) { return counts[k]; }).concat([1]));
    var box = el('div');
    if (!keys.length) box.appendChild(el('div', null, '—'));
    keys.forEach(function (k) {
      var row = el('div', 'bar'); row.appendChild(el('span', null, k));
      var fill = el('span', 'fill'); fill.style.width = Math.round(160 * counts[k] / max) + 'px'; row.appendChild(fill);
      row.appendChild(el('span', null, counts[k])); box.appendChild(row);
    });
    return box;
  }
  function load() {
    var days = Number(document.getElementById('days').value) || 7;
    var from = Date.now() - days * 86400000;
    fetch('/api/reports?from=' + from, { credentials: 'same-origin' }).then(function (r) { return r.json().then(function (j) { if (!r.ok) throw new Error(j.error ? j.error.message : 'HTTP ' + r.status); return j; }); })
      .then(function (r) {
        document.getElementById('error').textContent = '';
        main.textContent = '';
        card('首次响应 First response', [el('div', 'figure', fmt(r.firstResponseSeconds.avg)), el('div', null, 'p50 ' + fmt(r.firstResponseSeconds.p50) + ' · p90 ' + fmt(r.firstResponseSeconds.p90) + ' · n=' + r.firstResponseSeconds.count)]);
        card('解决时长 Resolution', [el('div', 'figure', fmt(r.resolutionSeconds.avg)), el('div', null, 'p50 ' + fmt(r.resolutionSeconds.p50) + ' · n=' + r.resolutionSeconds.count)]);
        card('排队等待 Queue wait', [el('div', 'figure', fmt(r.queueWaitSeconds.avg)), el('div', null, 'p90 ' + fmt(r.queueWaitSeconds.p90))]);
        card('SLA 超时 SLA breaches', [el('div', 'figure', r.slaBreaches), el('div', null, 'cases ' + r.cases)]);
        card('满意度 Satisfaction', [el('div', 'figure', r.satisfaction.average === null ? '—' : r.satisfaction.average.toFixed(2) + ' / 5'), el('div', null, r.satisfaction.answered + ' / ' + r.satisfaction.sent + ' answered'), bars(r.satisfaction.distribution)]);
        card('投诉按类别 Complaints by category', [bars(r.complaints.byCategory)]);
        card('投诉按严重度 by severity', [bars(r.complaints.bySeverity)]);
        card('投诉按渠道 by channel', [bars(r.complaints.byChannel)]);
        var table = el('table'); var head = el('tr');
        ['agent', 'cases', 'first response', 'SLA', 'satisfaction'].forEach(function (h) { head.appendChild(el('th', null, h)); }); table.appendChild(head);
        r.agents.forEach(function (a) {
          var tr = el('tr');
          [a.agent, a.cases, fmt(a.firstResponseSeconds), a.slaBreaches, a.satisfaction === null ? '—' : a.satisfaction.toFixed(2)].forEach(function (v) { tr.appendChild(el('td', null, v)); });
          table.appendChild(tr);
        });
        card('按客服 Per agent', [table]);
      }).catch(function (e) { document.getElementById('error').textContent = e.message + ' (log in at /console as a supervisor)'; });
  }
  document.getElementById('days').onchange = load;
  load();
})();
