/*
 * diapo `invoke present`: the browser side of the control panel (served only by present).
 *
 * Follows the presentation view (presentation.js fires `diapo:slide`) and tells the local
 * server which slide is shown, so that it cues the slide's first demo. The presenter window
 * lists the slide's demos with their verify status and a "Lancer" button (key l); the audience
 * window shows a running step's output in a terminal panel, beside the expected output, with
 * the differing lines marked; keys typed in the panel go to an interactive step. When the
 * cluster fails the panel shows the output recorded by `invoke verify`, with a banner.
 * Every request carries the token; the server never runs anything but the deck's demos.
 */
(function () {
  'use strict';

  var configNode = document.getElementById('diapo-present-config');
  if (!configNode || !window.diapo) return;
  var config = JSON.parse(configNode.textContent);
  var token = config.token;
  var body = document.body;
  var presenterMode = body.classList.contains('diapo-mode-presenter');
  var state = { demos: [], cue: null, running: null, shell: false, recorded: null };
  var panel = null; // audience terminal panel
  var list = null; // presenter demo list
  var current = null; // { demo, slide, interactive } of what the panel shows
  var keyChain = Promise.resolve();

  // The token stays out of the address bar (projected), and out of history.
  var clean = location.pathname + (presenterMode ? '?presenter' : '') + location.hash;
  history.replaceState(null, '', clean);

  function post(command, data) {
    return fetch('/api/' + command, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Diapo-Token': token },
      body: JSON.stringify(data || {}),
      credentials: 'same-origin',
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) say(answer.erreur || ('erreur ' + response.status));
        return answer;
      });
    }).catch(function () { say('serveur de présentation injoignable'); });
  }

  function say(text) {
    var node = document.getElementById('diapo-present-message');
    if (!node) {
      node = document.createElement('div');
      node.id = 'diapo-present-message';
      node.setAttribute('role', 'status');
      body.appendChild(node);
    }
    node.textContent = text;
    node.hidden = false;
    clearTimeout(say.timer);
    say.timer = setTimeout(function () { node.hidden = true; }, 4000);
  }

  function slideNumber() { return window.diapo.state.index + 1; }

  function demosOf(slide) {
    return state.demos.filter(function (d) { return d.slide === slide; });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // ---------------------------------------------------------------- running demos

  function launch(id) {
    var chosen = id || state.cue;
    var mine = demosOf(slideNumber());
    if (!chosen || !mine.some(function (d) { return d.id === chosen; })) {
      chosen = mine.length ? mine[0].id : null;
    }
    if (!chosen) { say('aucune démo sur cette diapositive'); return; }
    post('run', { demo: chosen, advance: advancing() });
  }

  // "Next slide after its last demo": one setting for both windows (same origin storage).
  var ADVANCE = 'diapo-present-advance';

  function advancing() {
    try { return localStorage.getItem(ADVANCE) !== 'non'; } catch (e) { return true; }
  }

  function setAdvancing(on) {
    try { localStorage.setItem(ADVANCE, on ? 'oui' : 'non'); } catch (e) { /* private mode */ }
  }

  // ---------------------------------------------------------------- presenter list

  function buildList() {
    var root = document.getElementById('diapo-presenter');
    if (!root) return;
    list = el('section', '', '');
    list.id = 'diapo-present-demos';
    list.setAttribute('aria-label', 'Démos de la diapositive');
    root.appendChild(list);
  }

  function renderList() {
    if (!list) return;
    list.textContent = '';
    var mine = demosOf(slideNumber());
    var head = el('div', 'diapo-present-head', mine.length ? 'Démos de la diapositive'
      : 'Aucune démo sur cette diapositive');
    list.appendChild(head);
    mine.forEach(function (demo) {
      var row = el('div', 'diapo-present-demo');
      row.dataset.demo = demo.id;
      if (demo.id === state.cue) row.classList.add('diapo-cued');
      if (demo.id === state.running) row.classList.add('diapo-running');
      var badge = el('span', 'diapo-badge', demo.label);
      badge.dataset.status = demo.status;
      badge.title = demo.detail;
      var code = el('code', '', demo.command.split('\n')[0]);
      var button = el('button', 'diapo-present-run', 'Lancer');
      button.type = 'button';
      button.title = 'Lancer cette démo (l)';
      button.disabled = !!state.running || state.shell;
      button.addEventListener('click', function () { launch(demo.id); button.blur(); });
      row.appendChild(el('span', 'diapo-present-id', demo.id + (demo.interactive ? ' ⌨' : '')));
      row.appendChild(badge);
      row.appendChild(code);
      row.appendChild(button);
      list.appendChild(row);
    });
    var options = el('label', 'diapo-present-option');
    var box = el('input');
    box.type = 'checkbox';
    box.id = 'diapo-present-advance';
    box.checked = advancing();
    box.addEventListener('change', function () { setAdvancing(box.checked); });
    options.appendChild(box);
    options.appendChild(document.createTextNode(' diapositive suivante après sa dernière démo'));
    list.appendChild(options);
    var status = el('div', 'diapo-present-status', state.running ? 'en cours : ' + state.running
      : state.shell ? 'shell ouvert dans le terminal' : '');
    list.appendChild(status);
  }

  // ---------------------------------------------------------------- audience panel

  function buildPanel() {
    panel = el('div', '');
    panel.id = 'diapo-term';
    panel.hidden = true;
    panel.innerHTML =
      '<div class="diapo-term-head"><code class="diapo-term-command"></code>' +
      '<span class="diapo-term-status" role="status"></span>' +
      '<button type="button" data-term="stop" title="Arrêter la démo (Ctrl-C)">Arrêter</button>' +
      '<button type="button" data-term="close" title="Fermer le panneau">×</button></div>' +
      '<div class="diapo-term-banner" hidden><span class="diapo-term-banner-text"></span>' +
      '<span class="diapo-term-why"></span>' +
      '<button type="button" data-term="retry">Réessayer</button>' +
      '<button type="button" data-term="continue">Continuer</button></div>' +
      '<div class="diapo-term-body">' +
      '<div class="diapo-term-col diapo-term-live"><div class="diapo-term-label">en direct</div>' +
      '<pre class="diapo-term-out"></pre></div>' +
      '<div class="diapo-term-col diapo-term-expected"><div class="diapo-term-label"></div>' +
      '<pre class="diapo-term-want"></pre></div></div>' +
      '<textarea class="diapo-term-input" aria-label="Clavier de la démo interactive" ' +
      'autocomplete="off" spellcheck="false"></textarea>';
    body.appendChild(panel);
    panel.addEventListener('click', function (event) {
      var button = event.target.closest('[data-term]');
      if (!button) { focusKeys(); return; }
      var what = button.dataset.term;
      if (what === 'close') closePanel();
      else if (what === 'stop') post('stop');
      else if (what === 'retry' && current) post('run', { demo: current.demo });
      else if (what === 'continue') { post('skip'); closePanel(); }
      button.blur();
    });
    var input = panel.querySelector('.diapo-term-input');
    input.addEventListener('keydown', onPanelKey);
  }

  function part(name) { return panel.querySelector(name); }

  function openPanel(message) {
    current = { demo: message.demo, slide: message.slide, interactive: !!message.interactive };
    panel.hidden = false;
    panel.dataset.state = 'running';
    panel.dataset.demo = message.demo;
    panel.classList.toggle('diapo-term-interactive', current.interactive);
    part('.diapo-term-command').textContent = message.command ? '$ ' + message.command : '';
    part('.diapo-term-status').textContent = current.interactive
      ? 'en cours · clavier actif' : 'en cours';
    part('.diapo-term-banner').hidden = true;
    var folded = part('.diapo-term-failed');
    if (folded) folded.remove();
    part('.diapo-term-live .diapo-term-label').textContent = 'en direct';
    part('.diapo-term-out').innerHTML = message.html || '';
    var want = part('.diapo-term-want');
    want.textContent = '';
    part('.diapo-term-expected').hidden = message.expected === null || message.expected === undefined;
    part('.diapo-term-expected .diapo-term-label').textContent = message.label || '';
    (message.expected || '').replace(/\n$/, '').split('\n').forEach(function (line, i) {
      var row = el('span', 'diapo-term-line', line);
      row.dataset.line = String(i);
      want.appendChild(row);
    });
    if (current.interactive) focusKeys();
  }

  function focusKeys() {
    if (!panel.hidden) part('.diapo-term-input').focus({ preventScroll: true });
  }

  function closePanel() {
    if (!panel) return;
    panel.hidden = true;
    current = null;
    part('.diapo-term-input').blur();
  }

  function scrollDown() {
    var out = part('.diapo-term-out');
    out.scrollTop = out.scrollHeight;
  }

  function endPanel(message) {
    if (!current || current.demo !== message.demo) return;
    panel.dataset.state = message.interrupted ? 'stopped' : message.status;
    var text = message.interrupted ? '■ arrêtée' : message.status === 'passed' ? '✓ réussie'
      : message.status === 'skipped' ? '○ ignorée : ' + (message.reason || '')
      : '✗ ' + (message.reason || 'échec');
    part('.diapo-term-status').textContent = text;
    var out = part('.diapo-term-out');
    out.innerHTML = message.lines.map(function (line) {
      return '<span class="diapo-term-line' + (line.differs ? ' diapo-differs' : '') + '">' +
        line.html + '</span>';
    }).join('');
    var marks = {};
    message.expected_marks.forEach(function (i) { marks[i] = true; });
    part('.diapo-term-want').querySelectorAll('.diapo-term-line').forEach(function (row) {
      row.classList.toggle('diapo-differs', !!marks[row.dataset.line]);
    });
    current.interactive = false;
    panel.classList.remove('diapo-term-interactive');
    scrollDown();
  }

  function recordedPanel(message) {
    if (!current || current.demo !== message.demo) {
      var demo = state.demos.filter(function (d) { return d.id === message.demo; })[0];
      openPanel({ demo: message.demo, slide: demo ? demo.slide : slideNumber(),
        command: demo ? demo.command : '', expected: null });
    }
    panel.dataset.state = 'recorded';
    var banner = part('.diapo-term-banner');
    banner.hidden = false;
    part('.diapo-term-banner-text').textContent = message.banner
      || 'aucune sortie enregistrée (lancez « invoke verify » avant le cours)';
    part('.diapo-term-why').textContent = message.why ? ' — ' + message.why : '';
    part('.diapo-term-status').textContent = 'sortie enregistrée';
    if (message.html !== null) {
      var live = part('.diapo-term-out');
      if (live.textContent.trim()) {
        // The failed live output stays at hand, folded under the recorded one.
        var folded = el('details', 'diapo-term-failed');
        folded.appendChild(el('summary', '', 'sortie en direct (échec)'));
        var pre = el('pre');
        pre.innerHTML = live.innerHTML;
        folded.appendChild(pre);
        var old = part('.diapo-term-failed');
        if (old) old.remove();
        part('.diapo-term-live').appendChild(folded);
      }
      live.innerHTML = message.html;
      part('.diapo-term-live .diapo-term-label').textContent = 'enregistrée';
    }
  }

  var KEYS = {
    Enter: '\r', Backspace: '\x7f', Tab: '\t', Escape: '\x1b', Delete: '\x1b[3~',
    ArrowUp: '\x1b[A', ArrowDown: '\x1b[B', ArrowRight: '\x1b[C', ArrowLeft: '\x1b[D',
    Home: '\x1b[H', End: '\x1b[F', PageUp: '\x1b[5~', PageDown: '\x1b[6~',
  };

  function onPanelKey(event) {
    if (!current || !current.interactive) {
      if (event.key === 'Escape') closePanel();
      return; // not for a step: the slides' keys keep working once the panel lets go
    }
    var data = null;
    if (event.ctrlKey && event.key.length === 1 && /[a-z@\[\\\]^_]/i.test(event.key)) {
      data = String.fromCharCode(event.key.toUpperCase().charCodeAt(0) & 31);
    } else if (KEYS[event.key]) {
      data = KEYS[event.key];
    } else if (event.key.length === 1 && !event.metaKey) {
      data = event.key;
    }
    if (data === null) return;
    event.preventDefault();
    event.stopPropagation();
    keyChain = keyChain.then(function () { return post('keys', { data: data }); });
  }

  // ---------------------------------------------------------------- events

  function handle(message) {
    switch (message.type) {
      case 'state':
        state.demos = message.demos;
        state.cue = message.cue;
        state.running = message.running;
        state.shell = message.shell;
        state.recorded = message.recorded;
        break;
      case 'cue':
        state.cue = message.demo;
        // Moved in the terminal (s, b): the slides follow the cue.
        if (message.follow && message.slide !== slideNumber()) window.diapo.go(message.slide - 1, 0);
        break;
      case 'start':
        state.running = message.demo;
        if (panel) openPanel(message);
        break;
      case 'output':
        if (panel && current && current.demo === message.demo) {
          part('.diapo-term-out').insertAdjacentHTML('beforeend', message.html);
          scrollDown();
        }
        break;
      case 'end':
        state.running = null;
        if (panel) endPanel(message);
        break;
      case 'recorded':
        state.running = null;
        if (panel) recordedPanel(message);
        break;
      case 'advance':
        if (slideNumber() === message.slide) window.diapo.go(message.slide, 0);
        break;
      case 'shell':
        state.shell = message.open;
        if (panel && message.open) {
          openPanel({ demo: '!', slide: slideNumber(), command: 'shell (exit pour revenir)',
            interactive: true, expected: null });
        } else if (panel && current && current.demo === '!') {
          panel.dataset.state = 'passed';
          part('.diapo-term-status').textContent = 'shell fermé';
          current.interactive = false;
          panel.classList.remove('diapo-term-interactive');
        }
        break;
    }
    body.dataset.presentCue = state.cue || '';
    renderList();
  }

  var events = new EventSource('/api/events?token=' + encodeURIComponent(token));
  events.onmessage = function (event) { handle(JSON.parse(event.data)); };
  events.onopen = function () { body.dataset.present = 'connected'; report(); };
  events.onerror = function () { body.dataset.present = 'disconnected'; };

  function report() { post('slide', { slide: slideNumber() }); }

  document.addEventListener('diapo:slide', function (event) {
    if (!event.detail.changed) return;
    if (panel && current && current.slide !== slideNumber()) closePanel(); // closes with it
    report();
    renderList();
  });

  document.addEventListener('keydown', function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest('input, textarea, select, [contenteditable]')) return;
    if (event.key === 'l' || event.key === 'L') { event.preventDefault(); launch(); }
  });

  if (presenterMode) buildList(); else buildPanel();
  renderList();
})();
