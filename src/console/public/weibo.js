/* Weibo triage: public posts by severity from GET /api/weibo/posts (agent session cookie). Text is shown as text. */
(function () {
  'use strict';
  var box = document.getElementById('posts');
  var RANK = { critical: 0, serious: 1, general: 2, none: 3 };
  function el(tag, cls, text) { var n = document.createElement(tag); if (cls) n.className = cls; if (text !== undefined && text !== null) n.textContent = String(text); return n; }
  function load() {
    var params = new URLSearchParams();
    ['severity', 'state'].forEach(function (k) { var v = document.getElementById(k).value; if (v) params.set(k, v); });
    fetch('/api/weibo/posts?' + params.toString(), { credentials: 'same-origin' })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw new Error(j.error ? j.error.message : 'HTTP ' + r.status); return j; }); })
      .then(function (r) {
        document.getElementById('error').textContent = '';
        box.textContent = '';
        r.posts.slice().sort(function (a, b) { return (RANK[a.severity] ?? 9) - (RANK[b.severity] ?? 9); }).forEach(function (p) {
          var card = el('article', 'post ' + p.severity);
          card.setAttribute('data-severity', p.severity);
          var meta = el('div', 'meta');
          meta.appendChild(el('strong', null, p.severity));
          meta.appendChild(el('span', null, p.state));
          meta.appendChild(el('span', null, (p.author && (p.author.name || p.author.uid)) || '-'));
          if (p.link && /^https:\/\//.test(p.link)) { var a = el('a', null, 'weibo.com'); a.href = p.link; a.rel = 'noopener noreferrer'; a.target = '_blank'; meta.appendChild(a); }
          card.appendChild(meta);
          card.appendChild(el('div', 'text', p.text));
          if (p.reasons && p.reasons.length) card.appendChild(el('div', 'meta', p.reasons.join(' · ')));
          // What we said: the public acknowledgement and the one private invitation after it.
          if (p.publicReply) card.appendChild(el('div', 'reply', '↳ ' + (p.publicReply.error ? '✗ ' + p.publicReply.error : p.publicReply.text) + (p.publicReply.postedAt ? '' : ' (queued)')));
          if (p.privateInvite) card.appendChild(el('div', 'invite', '✉ ' + (p.privateInvite.error ? '✗ ' + p.privateInvite.error : p.privateInvite.text) + (p.privateInvite.sentAt ? '' : ' (queued)')));
          box.appendChild(card);
        });
        if (!r.posts.length) box.appendChild(el('div', null, '—'));
      })
      .catch(function (e) { document.getElementById('error').textContent = e.message + ' (log in at /console)'; });
  }
  document.getElementById('severity').onchange = load;
  document.getElementById('state').onchange = load;
  load();
  setInterval(load, 30000);
})();
