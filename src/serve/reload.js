// Injected by `hindsight serve` only: reloads the page after a good
// rebuild and shows the errors of a failed one over every page.
(function () {
  'use strict';
  var overlay = null;
  function hide() { if (overlay) { overlay.remove(); overlay = null; } }
  function show(status) {
    hide();
    overlay = document.createElement('div');
    overlay.id = 'hindsight-errors';
    overlay.setAttribute('role', 'alert');
    overlay.style.cssText = 'position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;' +
      'background:#1c1917;color:#fecaca;font:13px/1.5 ui-monospace,monospace;padding:14px 18px;border-top:3px solid #dc2626';
    var title = document.createElement('strong');
    title.textContent = 'Build failed: the last good site is shown. ' + status.errors.length + ' error(s):';
    overlay.appendChild(title);
    status.errors.forEach(function (e) {
      var line = document.createElement('div');
      line.textContent = e.file + (e.line ? ':' + e.line : '') + '  [' + e.code + ']  ' + e.message;
      overlay.appendChild(line);
    });
    document.body.appendChild(overlay);
  }
  fetch('/__hindsight/status', { cache: 'no-store' })
    .then(function (r) { return r.json(); })
    .then(function (s) { if (!s.ok && s.errors.length) { show(s); } })
    .catch(function () {});
  var events = new EventSource('/__hindsight/events');
  events.addEventListener('reload', function () { window.location.reload(); });
  events.addEventListener('failed', function (e) { show(JSON.parse(e.data)); });
}());
