/*
 * The Kefu agent console. Talks to the agent API with the session cookie (HttpOnly, set at
 * login); a WebSocket says when something changed and the lists are read again. Customer
 * text is always inserted with textContent: nothing a customer writes can become HTML.
 */
(function () {
  'use strict';
  var I18N = {
    zh: { title: 'Kefu 客服工作台', login: '登录', username: '用户名', password: '密码', logout: '退出', queued: '排队中', mine: '进行中', bot: '机器人接待',
      claim: '接入', transfer: '转接', transferTo: '转给（客服名或 group:组名）', release: '交回机器人', resolution: '处理结果', close: '结束', canned: '快捷回复',
      replyPlaceholder: '输入回复…', send: '发送', customer: '客户', identities: '渠道身份', history: '历史会话', grading: '投诉分级', reasons: '判定依据',
      case: '工单', status: '状态', flow: '流程', none: '无', slaBreach: 'SLA 超时' },
    en: { title: 'Kefu agent console', login: 'Log in', username: 'Username', password: 'Password', logout: 'Log out', queued: 'Waiting', mine: 'In progress', bot: 'With the bot',
      claim: 'Claim', transfer: 'Transfer', transferTo: 'to (agent, or group:name)', release: 'Back to bot', resolution: 'Resolution', close: 'Close', canned: 'Canned replies',
      replyPlaceholder: 'Type a reply…', send: 'Send', customer: 'Customer', identities: 'Identities', history: 'Other conversations', grading: 'Complaint grading', reasons: 'Reasons',
      case: 'Case', status: 'Status', flow: 'Flow', none: 'none', slaBreach: 'SLA breached' },
  };
  var lang = localStorage.getItem('kefu.console.lang') || (navigator.language && navigator.language.indexOf('zh') === 0 ? 'zh' : 'en');
  var current = null;
  var me = null;
  var $ = function (id) { return document.getElementById(id); };
  function t(key) { return (I18N[lang] || I18N.zh)[key] || key; }
  function el(tag, cls, text) { var n = document.createElement(tag); if (cls) n.className = cls; if (text !== undefined && text !== null) n.textContent = String(text); return n; }

  function applyLang() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.querySelectorAll('[data-i18n]').forEach(function (n) { n.textContent = t(n.getAttribute('data-i18n')); });
    document.querySelectorAll('[data-i18n-placeholder]').forEach(function (n) { n.placeholder = t(n.getAttribute('data-i18n-placeholder')); });
    $('lang').value = lang;
  }

  function api(method, path, body) {
    return fetch(path, { method: method, credentials: 'same-origin', headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (json) {
          if (res.status === 401 && path !== '/api/auth/login') { showLogin(); }
          if (!res.ok) throw new Error((json.error && json.error.message) || ('HTTP ' + res.status));
          return json;
        });
      });
  }

  function showLogin() { $('login').hidden = false; $('app').hidden = true; $('logout').hidden = true; }
  function showApp() { $('login').hidden = true; $('app').hidden = false; $('logout').hidden = false; }

  function renderList(id, conversations) {
    var box = $(id);
    box.textContent = '';
    conversations.forEach(function (c) {
      var item = el('div', 'item' + (current === c.id ? ' active' : ''));
      item.setAttribute('data-id', c.id);
      if (c.priority && c.priority !== 'normal') item.appendChild(el('span', 'badge ' + c.priority, c.priority));
      if (c.case && c.case.severity && c.case.severity !== 'none') item.appendChild(el('span', 'badge ' + c.case.severity, c.case.severity));
      item.appendChild(el('span', 'badge', c.channel));
      item.appendChild(el('span', null, (c.customer && c.customer.name) || c.id.slice(0, 8)));
      if (c.reason) item.appendChild(el('div', 'who', c.reason));
      item.onclick = function () { open(c.id); };
      box.appendChild(item);
    });
  }

  function refreshLists() {
    ['queued', 'human', 'bot'].forEach(function (status) {
      api('GET', '/api/conversations?status=' + status + '&limit=50').then(function (r) { renderList(status, r.conversations); }).catch(function () {});
    });
  }

  function section(title, rows) {
    var box = el('div');
    box.appendChild(el('h3', null, title));
    rows.forEach(function (r) { box.appendChild(el('div', null, r)); });
    return box;
  }

  function render(detail) {
    var log = $('log');
    log.textContent = '';
    detail.messages.forEach(function (m) {
      var node = el('div', 'msg ' + m.author);
      node.setAttribute('data-author', m.author);
      node.appendChild(el('div', 'who', m.author + ' · ' + new Date(m.createdAt).toLocaleTimeString()));
      node.appendChild(el('div', 'text', m.text));
      log.appendChild(node);
    });
    log.scrollTop = log.scrollHeight;
    var side = $('side');
    side.textContent = '';
    side.appendChild(section(t('status'), [detail.status + (detail.assignee ? ' · ' + detail.assignee.slice(0, 8) : ''), t('flow') + ': ' + (detail.flow || '-') + ' / ' + (detail.step || '-')]));
    if (detail.customer) {
      side.appendChild(section(t('customer'), [(detail.customer.name || '-') + ' · ' + detail.customer.tier]));
      side.appendChild(section(t('identities'), detail.customer.identities.map(function (i) { return i.channel + ': ' + i.externalId; })));
      side.appendChild(section(t('history'), detail.customer.history.length ? detail.customer.history.map(function (h) { return h.channel + ' · ' + h.status + ' · ' + new Date(h.lastMessageAt).toLocaleString(); }) : [t('none')]));
    }
    if (detail.grading) {
      side.appendChild(section(t('grading'), [detail.grading.severity + ' · ' + (detail.grading.category || '-') + ' · ' + (detail.grading.form || '-') + ' · ' + (detail.grading.nature || '-')]));
      side.appendChild(section(t('reasons'), detail.grading.reasons.length ? detail.grading.reasons : [t('none')]));
    }
    if (detail.case) {
      side.appendChild(section(t('case'), [detail.case.number + ' · ' + detail.case.status + (detail.case.slaBreached ? ' · ' + t('slaBreach') : ''), detail.case.subject]));
    }
  }

  function open(id) {
    current = id;
    $('error').textContent = '';
    api('GET', '/api/conversations/' + encodeURIComponent(id)).then(render).catch(function (e) { $('error').textContent = e.message; });
    refreshLists();
  }

  function act(path, body) {
    if (!current) return;
    $('error').textContent = '';
    api('POST', '/api/conversations/' + encodeURIComponent(current) + path, body || {}).then(function () { open(current); }).catch(function (e) { $('error').textContent = e.message; });
  }

  function connect() {
    var ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/api/console/stream');
    ws.onmessage = function (event) {
      var frame = JSON.parse(event.data);
      if (frame.type === 'changed') { refreshLists(); if (frame.conversationId === current) open(current); }
      // Several nodes: changes may have been missed (Redis down or back); read everything again.
      if (frame.type === 'resync') { refreshLists(); if (current) api('GET', '/api/conversations/' + encodeURIComponent(current)).then(render).catch(function () {}); }
      if (frame.type === 'sla_breach') { $('error').textContent = t('slaBreach') + ': ' + frame.number; }
    };
    ws.onclose = function () { if (me) setTimeout(connect, 2000); };
  }

  function start() {
    api('GET', '/api/me').then(function (agent) {
      me = agent;
      $('me').textContent = agent.displayName + ' (' + agent.role + ')';
      showApp();
      return api('PUT', '/api/me/presence', { presence: 'online' });
    }).then(function () {
      refreshLists();
      connect();
      return api('GET', '/api/canned-replies?locale=' + (lang === 'zh' ? 'zh-CN' : 'en'));
    }).then(function (r) {
      var select = $('canned');
      while (select.options.length > 1) select.remove(1);
      r.replies.forEach(function (c) { var o = el('option', null, c.text); o.value = c.text; select.appendChild(o); });
    }).catch(function () { showLogin(); });
  }

  $('login').addEventListener('submit', function (event) {
    event.preventDefault();
    api('POST', '/api/auth/login', { username: $('username').value, password: $('password').value })
      .then(function () { $('login-error').textContent = ''; start(); })
      .catch(function (e) { $('login-error').textContent = e.message; });
  });
  $('logout').onclick = function () { me = null; api('POST', '/api/auth/logout').finally(showLogin); };
  $('lang').onchange = function () { lang = $('lang').value; localStorage.setItem('kefu.console.lang', lang); applyLang(); if (current) open(current); };
  $('claim').onclick = function () { act('/claim'); };
  $('release').onclick = function () { act('/release'); };
  $('close').onclick = function () { act('/close', { resolution: $('resolution').value || '-' }); };
  $('transfer').onclick = function () {
    var to = $('transfer-to').value.trim();
    if (!to) return;
    act('/transfer', to.indexOf('group:') === 0 ? { group: to.slice(6) } : { agent: to });
  };
  $('canned').onchange = function () { if ($('canned').value) $('reply').value = $('canned').value; $('canned').value = ''; };
  $('compose').addEventListener('submit', function (event) {
    event.preventDefault();
    var text = $('reply').value.trim();
    if (!text || !current) return;
    api('POST', '/api/conversations/' + encodeURIComponent(current) + '/messages', { text: text })
      .then(function () { $('reply').value = ''; open(current); })
      .catch(function (e) { $('error').textContent = e.message; });
  });
  applyLang();
  start();
})();
