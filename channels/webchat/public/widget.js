/*
 * Kefu web chat widget. Embed on any site:
 *   <script src="https://YOUR-KEFU-HOST/widget.js" data-lang="zh-CN" async></script>
 * Options (data- attributes): data-lang (zh-CN | zh-TW | en), data-title, data-target
 * (a CSS selector to render inline instead of the floating button).
 * Sends on the WebSocket once it is authenticated, and by POST before that or without one;
 * a message the socket did not acknowledge (closed, or no ack within 10 s) is sent again by
 * POST with the same clientMessageId, which the server stores once. Receives over the
 * WebSocket, resuming from its cursor after a reconnect, and falls back to long-polling.
 * Customer and agent text is always inserted as text, never as HTML.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script) return;
  var base = new URL(script.src, location.href).origin;
  var lang = script.getAttribute('data-lang') || (navigator.language && navigator.language.indexOf('zh') === 0 ? 'zh-CN' : 'en');
  var T = {
    'zh-CN': { title: '在线客服', placeholder: '请输入您的问题…', send: '发送', open: '咨询客服', offline: '连接中断，正在重连…' },
    'zh-TW': { title: '線上客服', placeholder: '請輸入您的問題…', send: '發送', open: '諮詢客服', offline: '連線中斷，正在重新連線…' },
    en: { title: 'Customer service', placeholder: 'Type your question…', send: 'Send', open: 'Chat with us', offline: 'Reconnecting…' },
  }[lang] || null;
  if (!T) T = { title: 'Customer service', placeholder: 'Type your question…', send: 'Send', open: 'Chat with us', offline: 'Reconnecting…' };
  var title = script.getAttribute('data-title') || T.title;
  var storeKey = 'kefu.session:' + base;
  var session = null;
  var cursor = '0';
  var seen = {};
  var socket = null;
  var live = false; // the socket is authenticated: messages may go on it
  var unacked = {}; // clientMessageId -> { text, timer }: sent on the socket, not yet acknowledged
  var ACK_TIMEOUT_MS = 10000;
  var retry = 0;
  var polling = false;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var style = el('style');
  style.textContent = [
    '.kefu-root{font:14px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#222}',
    '.kefu-float{position:fixed;right:20px;bottom:20px;z-index:2147483000}',
    '.kefu-button{background:#1677ff;color:#fff;border:0;border-radius:24px;padding:10px 18px;cursor:pointer;font-size:14px}',
    '.kefu-panel{width:340px;height:460px;display:flex;flex-direction:column;background:#fff;border:1px solid #ddd;border-radius:10px;box-shadow:0 6px 24px rgba(0,0,0,.15);overflow:hidden}',
    '.kefu-inline .kefu-panel{width:100%;height:100%;box-shadow:none}',
    '.kefu-head{background:#1677ff;color:#fff;padding:10px 14px;font-weight:600}',
    '.kefu-status{font-size:12px;color:#b45309;padding:2px 14px;min-height:0}',
    '.kefu-log{flex:1;overflow-y:auto;padding:10px;background:#f7f8fa}',
    '.kefu-msg{max-width:80%;margin:6px 0;padding:8px 11px;border-radius:10px;white-space:pre-wrap;word-break:break-word}',
    '.kefu-msg.customer{margin-left:auto;background:#1677ff;color:#fff}',
    '.kefu-msg.bot,.kefu-msg.agent{background:#fff;border:1px solid #e5e6eb}',
    '.kefu-msg.system{margin:6px auto;background:none;color:#888;font-size:12px;text-align:center}',
    '.kefu-form{display:flex;border-top:1px solid #eee}',
    '.kefu-input{flex:1;border:0;padding:10px;font-size:14px;outline:none}',
    '.kefu-send{border:0;background:#1677ff;color:#fff;padding:0 16px;cursor:pointer}',
  ].join('\n');
  document.head.appendChild(style);

  var root = el('div', 'kefu-root');
  var panel = el('div', 'kefu-panel');
  var head = el('div', 'kefu-head', title);
  var status = el('div', 'kefu-status');
  var log = el('div', 'kefu-log');
  log.setAttribute('role', 'log');
  log.setAttribute('aria-live', 'polite');
  var form = el('form', 'kefu-form');
  var input = el('input', 'kefu-input');
  input.id = 'kefu-input';
  input.placeholder = T.placeholder;
  input.maxLength = 4000;
  input.setAttribute('aria-label', T.placeholder);
  var send = el('button', 'kefu-send', T.send);
  send.type = 'submit';
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(head);
  panel.appendChild(status);
  panel.appendChild(log);
  panel.appendChild(form);

  var target = script.getAttribute('data-target');
  var host = target && document.querySelector(target);
  if (host) {
    root.className += ' kefu-inline';
    root.style.height = '100%';
    root.appendChild(panel);
    host.appendChild(root);
  } else {
    root.className += ' kefu-float';
    var toggle = el('button', 'kefu-button', T.open);
    panel.style.display = 'none';
    toggle.onclick = function () {
      var open = panel.style.display === 'none';
      panel.style.display = open ? 'flex' : 'none';
      toggle.style.display = open ? 'none' : '';
      if (open) { start(); input.focus(); }
    };
    root.appendChild(panel);
    root.appendChild(toggle);
    document.body.appendChild(root);
  }

  function show(messages) {
    for (var i = 0; i < messages.length; i++) {
      var m = messages[i];
      if (seen[m.id]) continue;
      seen[m.id] = true;
      var node = el('div', 'kefu-msg ' + m.author, m.text);
      node.setAttribute('data-author', m.author);
      log.appendChild(node);
    }
    log.scrollTop = log.scrollHeight;
  }

  function api(method, path, body) {
    var headers = { 'content-type': 'application/json' };
    if (session) headers.authorization = 'Bearer ' + session.token;
    return fetch(base + '/api/webchat' + path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined })
      .then(function (res) {
        if (res.status === 401) { forget(); throw new Error('unauthorized'); }
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      });
  }

  function forget() {
    session = null;
    try { localStorage.removeItem(storeKey); } catch (e) { /* private mode */ }
  }

  function ensureSession() {
    if (session) return Promise.resolve(session);
    try {
      var saved = JSON.parse(localStorage.getItem(storeKey) || 'null');
      if (saved && saved.sessionId && saved.token) { session = saved; cursor = '0'; return Promise.resolve(session); }
    } catch (e) { /* ignore a corrupt entry */ }
    return api('POST', '/sessions', { language: lang }).then(function (created) {
      session = created;
      try { localStorage.setItem(storeKey, JSON.stringify(created)); } catch (e) { /* private mode */ }
      return session;
    });
  }

  function connect() {
    if (!window.WebSocket) return poll();
    var url = base.replace(/^http/, 'ws') + '/api/webchat/sessions/' + encodeURIComponent(session.sessionId) + '/stream';
    var ws = new WebSocket(url);
    socket = ws;
    ws.onopen = function () { ws.send(JSON.stringify({ type: 'auth', token: session.token, after: cursor })); };
    ws.onmessage = function (event) {
      var frame = JSON.parse(event.data);
      if (frame.type === 'ready') { retry = 0; live = true; status.textContent = ''; }
      if (frame.type === 'messages') { show(frame.messages); cursor = frame.cursor; }
      if (frame.type === 'ack') settle(frame.clientMessageId);
      if (frame.type === 'error' && frame.clientMessageId) {
        // Refused as invalid: say why. Anything else (a server fault): try again by POST.
        if (frame.error && frame.error.code === 'validation_failed') {
          settle(frame.clientMessageId);
          status.textContent = frame.error.message;
        } else {
          resendByPost(frame.clientMessageId);
        }
      }
    };
    ws.onclose = function (event) {
      socket = null;
      live = false;
      // Whatever the socket did not acknowledge goes again by POST (stored once).
      Object.keys(unacked).forEach(resendByPost);
      if (event.code === 4401) { forget(); return start(); }
      status.textContent = T.offline;
      retry = Math.min(retry + 1, 6);
      // After repeated WebSocket failures (a proxy that blocks it), long-poll instead.
      if (retry >= 3) return poll();
      setTimeout(connect, 500 * Math.pow(2, retry));
    };
  }

  function poll() {
    if (polling) return;
    polling = true;
    (function loop() {
      api('GET', '/sessions/' + encodeURIComponent(session.sessionId) + '/messages?wait=25&after=' + encodeURIComponent(cursor))
        .then(function (page) { status.textContent = ''; show(page.messages); cursor = page.cursor; loop(); })
        .catch(function () { status.textContent = T.offline; setTimeout(loop, 3000); });
    })();
  }

  var started = false;
  function start() {
    if (started && session) return;
    started = true;
    ensureSession().then(connect).catch(function () { started = false; status.textContent = T.offline; setTimeout(start, 3000); });
  }

  function newId() {
    return Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 10);
  }

  function settle(clientMessageId) {
    var pending = unacked[clientMessageId];
    if (!pending) return;
    clearTimeout(pending.timer);
    delete unacked[clientMessageId];
  }

  function resendByPost(clientMessageId) {
    var pending = unacked[clientMessageId];
    if (!pending) return;
    settle(clientMessageId);
    post(pending.text, clientMessageId, 0);
  }

  function deliver(text, clientMessageId) {
    if (!socket || !live) return post(text, clientMessageId, 0);
    unacked[clientMessageId] = { text: text, timer: setTimeout(function () { resendByPost(clientMessageId); }, ACK_TIMEOUT_MS) };
    socket.send(JSON.stringify({ type: 'message', text: text, clientMessageId: clientMessageId }));
  }

  function post(text, clientMessageId, attempt) {
    ensureSession()
      .then(function () { return api('POST', '/sessions/' + encodeURIComponent(session.sessionId) + '/messages', { text: text, clientMessageId: clientMessageId }); })
      .then(function () { if (!socket && !polling) connect(); })
      .catch(function () {
        // Same clientMessageId on every retry: the server stores it once.
        if (attempt < 5) setTimeout(function () { post(text, clientMessageId, attempt + 1); }, 1000 * (attempt + 1));
        else status.textContent = T.offline;
      });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = '';
    deliver(text, newId());
  });

  if (host) start();
  window.KefuWidget = { open: start };
})();
