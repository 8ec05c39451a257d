// Hindsight: search and faceted filtering of the incidents page.
// Works on any static host; the state lives in the URL
// (incidents/?q=dns&category=network,database&sort=duration), so a view
// can be shared. Without JavaScript, or from file://, the full static
// table stays. Untrusted text is only ever set with textContent.
(function () {
  'use strict';
  var mount = document.querySelector('[data-search]');
  if (!mount) { return; }
  var base = mount.getAttribute('data-root') || '';
  var STOP = new Set(['the', 'and', 'of', 'to', 'in', 'a', 'an', 'is', 'was', 'were', 'for', 'on', 'at', 'by',
    'with', 'that', 'this', 'it', 'as', 'be', 'are', 'from', 'or', 'we', 'our', 'has', 'had', 'have', 'not', 'but',
    'which', 'its', 'into', 'their', 'they', 'been', 'also', 'all', 'any', 'can', 'will', 'would', 'there', 'than',
    'then', 'when', 'after']);
  var SORTS = { date: 'Newest first', duration: 'Longest first', impact: 'Most users affected first' };
  var data = null;
  var shards = new Map();
  var state = readState();
  var generation = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); }); }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function readState() {
    var params = new URLSearchParams(window.location.search);
    var selected = {};
    params.forEach(function (value, key) {
      if (key !== 'q' && key !== 'sort') {
        selected[key] = value.split(',').filter(Boolean);
      }
    });
    return { q: params.get('q') || '', sort: params.get('sort') || 'date', selected: selected };
  }

  function writeState() {
    var params = new URLSearchParams();
    if (state.q) { params.set('q', state.q); }
    Object.keys(state.selected).sort().forEach(function (key) {
      if (state.selected[key].length) { params.set(key, state.selected[key].join(',')); }
    });
    if (state.sort !== 'date') { params.set('sort', state.sort); }
    var query = params.toString();
    history.replaceState(null, '', window.location.pathname + (query ? '?' + query : ''));
  }

  function tokens(text) {
    return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (w) {
      return Array.from(w).length >= 2 && !STOP.has(w);
    });
  }

  function shardOf(token) {
    var head = Array.from(token).slice(0, 2).join('');
    if (/^[a-z0-9]{2}$/.test(head)) { return head; }
    var hex = '_';
    new TextEncoder().encode(head).forEach(function (b) { hex += (b < 16 ? '0' : '') + b.toString(16); });
    return hex;
  }

  function loadShard(name) {
    if (!shards.has(name)) {
      shards.set(name, fetch(base + 'search/t/' + name + '.json')
        .then(function (r) { return r.ok ? r.json() : {}; })
        .catch(function () { return {}; }));
    }
    return shards.get(name);
  }

  // Incidents matching every word of the query (a word matches any
  // indexed word it starts), or null when there is no query.
  function textMatches(query) {
    var words = tokens(query);
    if (!words.length) { return Promise.resolve(null); }
    return Promise.all(words.map(function (word) {
      return loadShard(shardOf(word)).then(function (postings) {
        var hits = new Set();
        Object.keys(postings).forEach(function (key) {
          if (key.indexOf(word) === 0) { postings[key].forEach(function (d) { hits.add(d); }); }
        });
        return hits;
      });
    })).then(function (sets) {
      return sets.reduce(function (acc, set) {
        return new Set(Array.from(acc).filter(function (d) { return set.has(d); }));
      });
    });
  }

  function selectedIndices() {
    return data.facets.map(function (facet) {
      var slugs = state.selected[facet.key] || [];
      var set = new Set();
      facet.values.forEach(function (value, i) { if (slugs.indexOf(value.slug) >= 0) { set.add(i); } });
      return set;
    });
  }

  function passes(doc, chosen, skip) {
    for (var f = 0; f < chosen.length; f++) {
      if (f === skip || chosen[f].size === 0) { continue; }
      if (!doc.f[f].some(function (v) { return chosen[f].has(v); })) { return false; }
    }
    return true;
  }

  function render(hits) {
    var chosen = selectedIndices();
    var docs = data.docs.map(function (doc, i) { return { doc: doc, i: i }; })
      .filter(function (x) { return hits === null || hits.has(x.i); });
    var results = docs.filter(function (x) { return passes(x.doc, chosen, -1); });
    var key = { date: function (d) { return d.d || ''; }, duration: function (d) { return d.m === null ? -1 : d.m; },
      impact: function (d) { return d.p === null ? -1 : d.p; } }[state.sort] || function (d) { return d.d || ''; };
    results.sort(function (a, b) {
      var x = key(a.doc), y = key(b.doc);
      return x < y ? 1 : x > y ? -1 : a.i - b.i;
    });

    // Counts: for each facet value, the matches with every other filter.
    data.facets.forEach(function (facet, f) {
      var counts = facet.values.map(function () { return 0; });
      docs.forEach(function (x) {
        if (passes(x.doc, chosen, f)) { x.doc.f[f].forEach(function (v) { counts[v] += 1; }); }
      });
      facet.values.forEach(function (value, v) {
        var row = mount.querySelector('[data-facet="' + facet.key + '"][data-value="' + CSS.escape(value.slug) + '"]');
        if (!row) { return; }
        row.querySelector('.facet-count').textContent = String(counts[v]);
        row.classList.toggle('facet-empty', counts[v] === 0 && !chosen[f].has(v));
      });
    });

    var label = function (d, f, missing, none) {
      var v = d.f[f][0];
      if (v === undefined) { return missing; }
      var value = data.facets[f].values[v];
      return value.slug === none ? missing : value.label;
    };
    var body = mount.querySelector('#search-results tbody');
    body.textContent = '';
    results.forEach(function (x) {
      var d = x.doc;
      var url = 'incidents/' + d.i + '/index.html';
      var tr = el('tr', { 'data-url': url });
      tr.appendChild(el('td', { class: 'date' }, d.d || 'undated'));
      var title = el('td', { class: 'title' });
      title.appendChild(el('a', { href: base + url }, d.t));
      tr.appendChild(title);
      tr.appendChild(el('td', null, label(d, 1, 'unrated', 'unrated')));
      tr.appendChild(el('td', null, label(d, 0, '—', 'uncategorised')));
      tr.appendChild(el('td', { class: 'num' }, d.m === null ? '—' : formatMinutes(d.m)));
      tr.appendChild(el('td', { class: 'num' }, d.p === null ? '—' : d.p + '%'));
      body.appendChild(tr);
    });
    mount.querySelector('#search-summary').textContent =
      results.length + ' of ' + data.docs.length + ' incidents';
  }

  function formatMinutes(m) {
    var d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60), min = m % 60;
    if (d) { return d + ' d' + (h ? ' ' + h + ' h' : ''); }
    if (h) { return h + ' h' + (min ? ' ' + min + ' min' : ''); }
    return min + ' min';
  }

  function update() {
    var mine = ++generation;
    writeState();
    textMatches(state.q).then(function (hits) { if (mine === generation) { render(hits); } });
  }

  function build() {
    var form = el('form', { class: 'search-form', role: 'search' });
    form.addEventListener('submit', function (e) { e.preventDefault(); });
    var input = el('input', { type: 'search', id: 'search-q', placeholder: 'Search titles, causes and text', 'aria-label': 'Search' });
    input.value = state.q;
    var timer = null;
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { state.q = input.value.trim(); update(); }, 150);
    });
    form.appendChild(input);
    var sort = el('select', { id: 'search-sort', 'aria-label': 'Sort' });
    Object.keys(SORTS).forEach(function (k) {
      var option = el('option', { value: k }, SORTS[k]);
      if (k === state.sort) { option.selected = true; }
      sort.appendChild(option);
    });
    sort.addEventListener('change', function () { state.sort = sort.value; update(); });
    form.appendChild(sort);

    var side = el('div', { class: 'facets' });
    data.facets.forEach(function (facet) {
      if (!facet.values.length) { return; }
      var box = el('fieldset', { class: 'facet' });
      box.appendChild(el('legend', null, facet.label));
      facet.values.forEach(function (value) {
        var label = el('label', { 'data-facet': facet.key, 'data-value': value.slug });
        var check = el('input', { type: 'checkbox', value: value.slug });
        check.checked = (state.selected[facet.key] || []).indexOf(value.slug) >= 0;
        check.addEventListener('change', function () {
          var list = (state.selected[facet.key] || []).filter(function (s) { return s !== value.slug; });
          if (check.checked) { list.push(value.slug); }
          state.selected[facet.key] = list;
          update();
        });
        label.appendChild(check);
        label.appendChild(el('span', { class: 'facet-label' }, value.label));
        label.appendChild(el('span', { class: 'facet-count count' }, ''));
        box.appendChild(label);
      });
      side.appendChild(box);
    });

    var table = el('table', { class: 'incident-table', id: 'search-results' });
    var head = el('thead');
    var row = el('tr');
    ['Date', 'Incident', 'Severity', 'Cause', 'Duration', 'Users'].forEach(function (h) { row.appendChild(el('th', { scope: 'col' }, h)); });
    head.appendChild(row);
    table.appendChild(head);
    table.appendChild(el('tbody'));
    var results = el('div', { class: 'search-results' });
    results.appendChild(el('p', { id: 'search-summary', class: 'muted', 'aria-live': 'polite' }, ''));
    var scroll = el('div', { class: 'table-scroll' });
    scroll.appendChild(table);
    results.appendChild(scroll);

    var layout = el('div', { class: 'search-layout' });
    layout.appendChild(side);
    layout.appendChild(results);
    mount.appendChild(form);
    mount.appendChild(layout);
    var fallback = document.getElementById('static-incidents');
    if (fallback) { fallback.hidden = true; }
    update();
  }

  fetch(base + 'search/facets.json')
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (json) { data = json; build(); })
    .catch(function () {
      mount.appendChild(el('p', { class: 'muted small' },
        'Search and filters need the site to be served over HTTP; the list is below.'));
    });
}());
