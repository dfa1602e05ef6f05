/*
 * diapo presentation view (no framework).
 *
 * The page holds every slide as `.diapo-slot > .diapo-frame > section` (see
 * diapo/site/presentation.py). This script shows one slot at a time, scaled to the window, and
 * drives it: keyboard, touch swipe, fragments, deep links `#N` with browser history, overview
 * grid (o), go-to box (g), fullscreen (f), help (?) and the presenter window (p): the same page
 * opened with `?presenter`, kept in sync both ways through BroadcastChannel and postMessage.
 * `?print` / `?handout` prepare the page for the PDF (all fragments, images loaded:
 * `window.diapoReady`).
 */
(function () {
  'use strict';

  var body = document.body;
  var stage = document.getElementById('diapo-stage');
  var slots = Array.prototype.slice.call(stage.querySelectorAll(':scope > .diapo-slot'));
  var total = slots.length;
  var W = Number(body.dataset.width) || 1280;
  var H = Number(body.dataset.height) || 720;
  var params = new URLSearchParams(location.search);
  var mode = params.has('presenter') ? 'presenter'
    : (params.has('print') || params.has('handout')) ? 'print' : 'audience';
  var key = 'diapo:' + location.pathname;
  var state = { index: -1, step: 0 };
  var presenter = null; // DOM of the presenter window, when mode === 'presenter'
  var peer = null; // the presenter window we opened
  var channel = null;

  body.classList.add('diapo-js', 'diapo-mode-' + mode);
  if (!params.has('handout')) {
    // Printing the slides (Ctrl+P, or `invoke pdf`): one page per slide, at the slide's size
    var pageStyle = document.createElement('style');
    pageStyle.textContent = '@page { size: ' + W + 'px ' + H + 'px; margin: 0; }';
    document.head.appendChild(pageStyle);
  }
  document.documentElement.style.setProperty('--diapo-ratio', W + ' / ' + H);
  slots.forEach(function (slot, i) { slot.dataset.number = String(i + 1); });

  // ---------------------------------------------------------------- fitting headings

  // `# <!-- fit --> Titre` (marp-core's fitting header): the heading's text on one line,
  // scaled up or down until it fills the heading's content box, as marp-core's SVG does.
  function fitHeadings(root) {
    Array.prototype.forEach.call(root.querySelectorAll('[data-diapo-fit] > .diapo-fit'),
      function (span) {
        var heading = span.parentNode;
        var style = getComputedStyle(heading);
        var width = heading.clientWidth - parseFloat(style.paddingLeft) -
          parseFloat(style.paddingRight);
        span.style.fontSize = '';
        for (var i = 0; i < 3 && span.offsetWidth > 0 && width > 0; i++) {
          var size = parseFloat(getComputedStyle(span).fontSize);
          if (Math.abs(span.offsetWidth - width) < 0.5) break;
          span.style.fontSize = (size * width / span.offsetWidth) + 'px';
        }
      });
  }
  // A code block wider than its slide shrinks to fit (never grows), as marp-core draws code
  // in themes with `@auto-scaling` metadata (diapo.site.themes sets --diapo-auto-scaling then);
  // like marp-core's SVG, the block is as tall as its content rounded up to a whole pixel.
  function fitCode(root) {
    Array.prototype.forEach.call(root.querySelectorAll('section pre > code'), function (code) {
      var pre = code.parentNode;
      var wanted = getComputedStyle(pre).getPropertyValue('--diapo-auto-scaling');
      if (wanted.indexOf('code') < 0) return;
      code.style.zoom = code.style.display = code.style.verticalAlign = pre.style.minHeight = '';
      var style = getComputedStyle(pre);
      var edges = function (a, b) {
        return parseFloat(style[a + 'Top' + b] || 0) + parseFloat(style[a + 'Bottom' + b] || 0);
      };
      var room = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      var scale = pre.getBoundingClientRect().width / (pre.offsetWidth || 1) || 1;
      var need = code.getBoundingClientRect().width / scale;
      if (room > 0 && need > room + 0.5) {
        if (getComputedStyle(code).display === 'inline') {  // its lines shrink too, as in an SVG
          code.style.display = 'inline-block';
          code.style.verticalAlign = 'top';
        }
        code.style.zoom = String(room / need);
        return;
      }
      var frame = edges('padding', '') + edges('border', 'Width');
      var content = pre.getBoundingClientRect().height / scale - frame;
      var extra = style.boxSizing === 'border-box' ? frame : 0;
      if (content > 0) pre.style.minHeight = (Math.ceil(content - 0.01) + extra) + 'px';
    });
  }
  // Hidden slides have no layout: fit every slide while all are laid out.
  body.classList.add('diapo-measuring');
  fitHeadings(stage);
  fitCode(stage);
  body.classList.remove('diapo-measuring');
  var fitted = (document.fonts ? document.fonts.ready : Promise.resolve()).then(function () {
    body.classList.add('diapo-measuring');
    fitHeadings(stage);
    fitCode(stage);
    body.classList.remove('diapo-measuring');
  });

  // ---------------------------------------------------------------- state

  function fragmentsOf(i) { return Number(slots[i].dataset.fragments) || 0; }

  function clamp(n, lo, hi) { return Math.max(lo, Math.min(hi, n)); }

  /** Show fragments 1..step of the slide inside `root`, hide the others. */
  function applyFragments(root, step) {
    root.querySelectorAll('[data-marpit-fragment]').forEach(function (el) {
      el.dataset.diapoFragment = Number(el.dataset.marpitFragment) <= step ? 'shown' : 'hidden';
    });
  }

  /**
   * Go to slide `index` (0-based) with `step` fragments shown.
   * opts.broadcast: tell the other windows (default true); opts.history: 'push' (default),
   * 'replace' or 'none'.
   */
  function go(index, step, opts) {
    opts = opts || {};
    if (!total) return;
    index = clamp(Number(index) || 0, 0, total - 1);
    step = clamp(Number(step) || 0, 0, fragmentsOf(index));
    var changed = index !== state.index;
    if (!changed && step === state.step) return;
    if (changed && state.index >= 0) slots[state.index].classList.remove('diapo-current');
    state.index = index;
    state.step = step;
    var slot = slots[index];
    slot.classList.add('diapo-current');
    applyFragments(slot, step);
    var text = (index + 1) + '/' + total;
    document.getElementById('diapo-counter').textContent = text;
    body.dataset.slide = String(index + 1);
    body.dataset.step = String(step);
    if (changed) updateHistory(opts.history || 'push');
    if (presenter) renderPresenter();
    if (body.classList.contains('diapo-overview')) slot.scrollIntoView({ block: 'nearest' });
    if (opts.broadcast !== false) send({ type: 'state', index: index, step: step });
    // Hook for add-ons (the `invoke present` panel): the slide shown changed.
    document.dispatchEvent(new CustomEvent('diapo:slide',
      { detail: { index: index, step: step, changed: changed } }));
  }

  function next() {
    if (state.step < fragmentsOf(state.index)) go(state.index, state.step + 1);
    else if (state.index < total - 1) go(state.index + 1, 0);
  }

  function prev() {
    if (state.step > 0) go(state.index, state.step - 1);
    else if (state.index > 0) go(state.index - 1, fragmentsOf(state.index - 1));
  }

  // ---------------------------------------------------------------- deep links

  function updateHistory(how) {
    var hash = '#' + (state.index + 1);
    if (how === 'none' || location.hash === hash) return;
    if (how === 'replace' || mode !== 'audience') history.replaceState(null, '', hash);
    else history.pushState(null, '', hash);
  }

  /** The slide a URL fragment names: `#12`, or the id of an element on a slide. */
  function slideOfHash(hash) {
    var raw = hash.replace(/^#/, '');
    if (!raw) return null;
    if (/^\d+$/.test(raw)) return clamp(Number(raw), 1, total) - 1;
    var target = null;
    try { target = document.getElementById(decodeURIComponent(raw)); } catch (e) { /* bad % */ }
    target = target || document.getElementById(raw);
    var slot = target && target.closest('.diapo-slot');
    return slot ? slots.indexOf(slot) : null;
  }

  function followHash(history) {
    var index = slideOfHash(location.hash);
    if (index === null) index = state.index < 0 ? 0 : state.index;
    go(index, 0, { history: history });
    if (!/^#\d+$/.test(location.hash)) updateHistory('replace');
  }

  window.addEventListener('popstate', function () { followHash('none'); });
  window.addEventListener('hashchange', function () { followHash('none'); });

  // ---------------------------------------------------------------- sync between windows

  function send(message) {
    message.diapo = key;
    if (channel) {
      try { channel.postMessage(message); } catch (e) { /* closed */ }
    }
    [peer, window.opener].forEach(function (win) {
      if (win && !win.closed) {
        try { win.postMessage(message, '*'); } catch (e) { /* cross-origin */ }
      }
    });
  }

  function receive(message) {
    if (!message || message.diapo !== key) return;
    if (message.type === 'state') {
      go(message.index, message.step, { broadcast: false });
    } else if (message.type === 'hello' && mode === 'audience') {
      send({ type: 'state', index: state.index, step: state.step });
    }
  }

  if ('BroadcastChannel' in window) {
    try {
      channel = new BroadcastChannel(key);
      channel.onmessage = function (event) { receive(event.data); };
    } catch (e) { channel = null; }
  }
  window.addEventListener('message', function (event) { receive(event.data); });

  function openPresenter() {
    var url = location.pathname + '?presenter#' + (state.index + 1);
    peer = window.open(url, 'diapo-presenter:' + location.pathname,
      'popup=yes,width=1280,height=800');
  }

  // ---------------------------------------------------------------- scaling

  function fit() {
    if (mode === 'audience') {
      var scale = Math.min(window.innerWidth / W, window.innerHeight / H);
      body.style.setProperty('--diapo-scale', String(scale));
      if (body.classList.contains('diapo-overview') && slots.length) {
        stage.style.setProperty('--diapo-thumb-scale', String(slots[0].clientWidth / W));
      }
    } else if (presenter) {
      fitPanes();
    }
  }
  window.addEventListener('resize', fit);

  // ---------------------------------------------------------------- overview, dialogs

  function toggleOverview(force) {
    var on = force === undefined ? !body.classList.contains('diapo-overview') : force;
    body.classList.toggle('diapo-overview', on);
    fit();
    if (on) slots[state.index].scrollIntoView({ block: 'center' });
  }

  stage.addEventListener('click', function (event) {
    if (!body.classList.contains('diapo-overview')) return;
    var slot = event.target.closest('.diapo-slot');
    if (!slot) return;
    event.preventDefault();
    toggleOverview(false);
    go(slots.indexOf(slot), 0);
  });

  var gotoForm = document.getElementById('diapo-goto');
  var gotoInput = document.getElementById('diapo-goto-input');
  var help = document.getElementById('diapo-help');

  function openGoto() {
    gotoForm.hidden = false;
    gotoInput.value = '';
    gotoInput.focus();
  }

  gotoForm.addEventListener('submit', function (event) {
    event.preventDefault();
    var n = parseInt(gotoInput.value, 10);
    gotoForm.hidden = true;
    gotoInput.blur();
    if (!isNaN(n)) go(n - 1, 0);
  });

  function closeAll() {
    var open = !gotoForm.hidden || !help.hidden || body.classList.contains('diapo-overview');
    gotoForm.hidden = true;
    help.hidden = true;
    toggleOverview(false);
    return open;
  }

  function toggleFullscreen() {
    var request = document.fullscreenElement ? document.exitFullscreen()
      : document.documentElement.requestFullscreen();
    if (request && request.catch) request.catch(function () { /* refused by the browser */ });
  }

  var actions = {
    next: next,
    prev: prev,
    overview: function () { toggleOverview(); },
    presenter: openPresenter,
    fullscreen: toggleFullscreen,
    help: function () { help.hidden = !help.hidden; },
    'reset-timer': function () { startedAt = Date.now(); tick(); },
  };

  document.addEventListener('click', function (event) {
    var button = event.target.closest('[data-action]');
    if (button && actions[button.dataset.action]) {
      event.preventDefault();
      actions[button.dataset.action]();
      button.blur();
    }
  });

  // ---------------------------------------------------------------- keyboard, touch

  // The keys and their actions are diapo/site/keymap.py's table (JSON in the page), which
  // also writes the help dialog: a key is an action name of keyActions.
  var keymapNode = document.getElementById('diapo-keymap');
  var keymap = keymapNode ? JSON.parse(keymapNode.textContent) : {};
  function inOverview() { return body.classList.contains('diapo-overview'); }
  var keyActions = {
    forward: function () { if (inOverview()) go(state.index + 1, 0); else next(); },
    back: function () { if (inOverview()) go(state.index - 1, 0); else prev(); },
    next: next,
    prev: prev,
    first: function () { go(0, 0); },
    last: function () { go(total - 1, fragmentsOf(total - 1)); },
    open: function () { if (!inOverview()) return false; toggleOverview(false); },
    fullscreen: toggleFullscreen,
    overview: function () { if (mode === 'audience') toggleOverview(); },
    goto: openGoto,
    presenter: function () { if (mode === 'audience') openPresenter(); },
    help: actions.help,
    close: function () { return closeAll(); },
  };

  document.addEventListener('keydown', function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest('input, textarea, select, [contenteditable]')) {
      if (event.key === 'Escape') closeAll();
      return;
    }
    var name = (event.shiftKey && keymap['Shift+' + event.key]) || keymap[event.key];
    var action = name && keyActions[name];
    if (action && action() !== false) event.preventDefault();
  });

  var touch = null;
  document.addEventListener('touchstart', function (event) {
    if (event.touches.length === 1) touch = { x: event.touches[0].clientX, y: event.touches[0].clientY };
  }, { passive: true });
  document.addEventListener('touchend', function (event) {
    if (!touch || body.classList.contains('diapo-overview')) return;
    var dx = event.changedTouches[0].clientX - touch.x;
    var dy = event.changedTouches[0].clientY - touch.y;
    touch = null;
    if (Math.abs(dx) < 40 || Math.abs(dx) < Math.abs(dy)) return;
    if (dx < 0) next(); else prev();
  }, { passive: true });

  var pointerTimer = null;
  document.addEventListener('mousemove', function () {
    body.classList.add('diapo-pointer');
    clearTimeout(pointerTimer);
    pointerTimer = setTimeout(function () { body.classList.remove('diapo-pointer'); }, 2500);
  });

  // ---------------------------------------------------------------- presenter window

  var startedAt = Date.now();

  function pad(n) { return (n < 10 ? '0' : '') + n; }

  function tick() {
    if (!presenter) return;
    var s = Math.floor((Date.now() - startedAt) / 1000);
    presenter.timer.textContent = pad(Math.floor(s / 3600)) + ':' + pad(Math.floor(s / 60) % 60) + ':' + pad(s % 60);
    var now = new Date();
    presenter.clock.textContent = pad(now.getHours()) + ':' + pad(now.getMinutes());
  }

  function buildPresenter() {
    var root = document.createElement('div');
    root.id = 'diapo-presenter';
    root.innerHTML =
      '<div id="diapo-presenter-current" class="diapo-pane" aria-label="Diapositive courante"></div>' +
      '<div id="diapo-presenter-next" class="diapo-pane" aria-label="Diapositive suivante"></div>' +
      '<div id="diapo-presenter-notes" aria-label="Notes"></div>' +
      '<div id="diapo-presenter-status">' +
      '<span id="diapo-presenter-counter" title="Diapositive"></span>' +
      '<span id="diapo-presenter-timer" title="Temps écoulé">00:00:00</span>' +
      '<span id="diapo-presenter-clock" title="Heure"></span>' +
      '<button type="button" data-action="prev">‹ Précédente</button>' +
      '<button type="button" data-action="next">Suivante ›</button>' +
      '<button type="button" data-action="reset-timer">Remettre le chrono à zéro</button>' +
      '</div>';
    body.appendChild(root);
    document.title = 'Présentateur — ' + document.title;
    presenter = {
      current: root.querySelector('#diapo-presenter-current'),
      next: root.querySelector('#diapo-presenter-next'),
      notes: root.querySelector('#diapo-presenter-notes'),
      counter: root.querySelector('#diapo-presenter-counter'),
      timer: root.querySelector('#diapo-presenter-timer'),
      clock: root.querySelector('#diapo-presenter-clock'),
    };
    tick();
    setInterval(tick, 1000);
  }

  function showFrame(pane, index, step) {
    pane.textContent = '';
    if (index >= total) return;
    var frame = slots[index].querySelector('.diapo-frame').cloneNode(true);
    applyFragments(frame, step);
    pane.appendChild(frame);
  }

  function renderPresenter() {
    var i = state.index;
    showFrame(presenter.current, i, state.step);
    presenter.current.dataset.slide = String(i + 1);
    showFrame(presenter.next, i + 1, fragmentsOf(i + 1 < total ? i + 1 : i));
    presenter.next.dataset.slide = String(i + 2);
    presenter.notes.innerHTML = slots[i].querySelector('.diapo-notes').innerHTML;
    var steps = fragmentsOf(i) ? ' (étape ' + state.step + '/' + fragmentsOf(i) + ')' : '';
    presenter.counter.textContent = (i + 1) + '/' + total + steps;
    fitPanes();
  }

  function fitPanes() {
    [presenter.current, presenter.next].forEach(function (pane) {
      var scale = Math.min(pane.clientWidth / W, pane.clientHeight / H) || 0.1;
      pane.style.setProperty('--diapo-scale', String(scale));
    });
  }

  // ---------------------------------------------------------------- print (PDF)

  /** Resolves once every image of the deck (img and CSS backgrounds) is loaded. */
  function imagesReady() {
    var urls = {};
    document.querySelectorAll('#diapo-stage img').forEach(function (img) { urls[img.src] = 1; });
    document.querySelectorAll('#diapo-stage [style*="url("]').forEach(function (el) {
      var re = /url\(\s*["']?([^"')]+)["']?\s*\)/g;
      var m;
      while ((m = re.exec(el.getAttribute('style')))) urls[new URL(m[1], location.href).href] = 1;
    });
    var loads = Object.keys(urls).map(function (url) {
      return new Promise(function (resolve) {
        var img = new Image();
        img.onload = img.onerror = function () { resolve(); };
        img.src = url;
      });
    });
    return Promise.all(loads).then(function () { return document.fonts ? document.fonts.ready : null; });
  }

  // ---------------------------------------------------------------- start

  if (mode === 'print') {
    body.classList.add('diapo-print');
    if (params.has('handout')) {
      body.classList.add('diapo-handout');
      // A4 portrait, 15 mm margins: 180 mm of width at 96 dpi
      body.style.setProperty('--diapo-handout-scale', String((180 / 25.4 * 96) / W));
    }
    slots.forEach(function (slot) { applyFragments(slot, fragmentsOf(slots.indexOf(slot))); });
    window.diapoReady = Promise.all([imagesReady(), fitted]).then(function () { return total; });
    return;
  }
  if (mode === 'presenter') {
    body.classList.add('diapo-presenter');
    buildPresenter();
    window.addEventListener('beforeunload', function () { send({ type: 'bye' }); });
  }
  fit();
  followHash('replace');
  if (mode === 'presenter') send({ type: 'hello' });
  window.diapo = { go: go, next: next, prev: prev, state: state, total: total };
  window.diapoReady = fitted.then(function () { return total; });
})();
