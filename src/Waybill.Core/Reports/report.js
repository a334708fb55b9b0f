// Draws the run report from the JSON data island: plain DOM code, no library, text always set with textContent so no
// recorded value (a stage name, a log line, a config value) is ever read as markup.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const job = data.job, stages = data.stages, groups = data.groups, palette = data.palette;
  const SVG = 'http://www.w3.org/2000/svg';
  let selected = -1;

  function el(tag, props, children) {
    const e = document.createElement(tag);
    if (props) for (const k in props) {
      if (k === 'text') e.textContent = props[k];
      else if (k === 'cls') e.className = props[k];
      else e.setAttribute(k, props[k]);
    }
    (children || []).forEach(c => { if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function svgEl(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }
  // A figure the stage shares with the engine and the stages beside it (resources.shared) is never shown as its own.
  function sharedMark(r, figure) { return r.shared && r.shared.includes(figure) ? ' (shared)' : ''; }
  function sharedText(r, figure) {
    return r.shared && r.shared.includes(figure) ? ' (the engine\'s, shared with other stages: not this stage\'s own)' : '';
  }
  function seconds(s) {
    if (s === null || s === undefined) return '';
    if (s < 60) return s.toFixed(s < 10 ? 2 : 1) + ' s';
    const m = Math.floor(s / 60), r = s - 60 * m;
    return m < 60 ? m + ' min ' + Math.round(r) + ' s' : Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
  }
  function bytes(n) {
    if (n === null || n === undefined) return '';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
  }
  function money(v, currency) { return v === null || v === undefined ? '' : v.toFixed(v < 1 ? 4 : 2) + ' ' + currency; }
  // A curve comes as [peak, text]: 2 base64url characters a point, the share of the peak in 4,096 steps, '~~' for a gap.
  const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const digit = {};
  for (let i = 0; i < DIGITS.length; i++) digit[DIGITS[i]] = i;
  function decode(series) {
    if (!series) return null;
    const peak = series[0], text = series[1], out = new Array(text.length / 2);
    for (let i = 0; i < out.length; i++) {
      const a = text[2 * i], b = text[2 * i + 1];
      out[i] = a === '~' ? null : ((digit[a] * 64 + digit[b]) / 4095) * peak;
    }
    return out;
  }
  function statusText(s) { return s.ran === false ? 'up to date' : s.status; }
  function statusClass(s) { return 'status status-' + (s.ran === false ? 'uptodate' : s.status); }
  function colour(status) { return (palette[status] || palette.pending)[1]; }
  function fill(status) { return (palette[status] || palette.pending)[0]; }

  // ---- notes -------------------------------------------------------------------------------------------------------
  const notes = document.getElementById('notes');
  data.notes.forEach(n => notes.appendChild(el('p', { text: n })));

  // ---- timeline ----------------------------------------------------------------------------------------------------
  const LANE = 20, GROUP = 16, AXIS = 22, LABEL = 64;
  const gantt = document.getElementById('gantt');
  const bars = [];
  function drawTimeline() {
    const width = Math.max(600, gantt.clientWidth || 900);
    const plot = width - LABEL - 8;
    const span = job.span > 0 ? job.span : 1;
    const x = t => LABEL + (t / span) * plot;
    const top = AXIS + job.groupRows * GROUP + (job.groupRows ? 4 : 0);
    const height = top + Math.max(1, job.lanes) * LANE + 4;
    const svg = svgEl('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, 'class': 'timeline',
      'font-family': 'system-ui, sans-serif', 'font-size': 11 });
    const step = niceStep(span / 8);
    for (let t = 0; t <= span + 1e-9; t += step) {
      svg.appendChild(svgEl('line', { x1: x(t), x2: x(t), y1: AXIS - 4, y2: height, stroke: '#e4e4e4' }));
      const label = svgEl('text', { x: x(t) + 2, y: 12, fill: '#666' });
      label.textContent = seconds(t);
      svg.appendChild(label);
    }
    for (let lane = 0; lane < job.lanes; lane++) {
      const t = svgEl('text', { x: 4, y: top + lane * LANE + 14, fill: '#666' });
      t.textContent = 'slot ' + (lane + 1);
      svg.appendChild(t);
    }
    groups.forEach((g, gi) => {
      if (g.row < 0) return;
      const y = AXIS + g.row * GROUP;
      const w = Math.max(2, x(g.e) - x(g.s));
      const box = svgEl('g', { 'class': 'group', 'data-group': gi });
      box.appendChild(svgEl('rect', { x: x(g.s), y: y, width: w, height: GROUP - 3, fill: '#e9ecf5', stroke: '#5b6b7f', rx: 3 }));
      const title = svgEl('title', {});
      title.textContent = g.id + ': ' + g.items.length + ' items, ' + seconds(g.e - g.s);
      box.appendChild(title);
      const label = g.id + ' \u00d7' + g.items.length;
      if (w > 8 + 6.5 * label.length) {
        const t = svgEl('text', { x: x(g.s) + 4, y: y + 10, fill: '#333' });
        t.textContent = label;
        box.appendChild(t);
      }
      box.addEventListener('click', () => selectGroup(gi));
      svg.appendChild(box);
    });
    stages.forEach((s, i) => {
      if (s.lane === undefined || s.lane < 0) return;
      const w = Math.max(3, x(s.e) - x(s.s)); // a stage of a few milliseconds stays visible and clickable
      const bar = svgEl('rect', { x: x(s.s), y: top + s.lane * LANE + 3, width: w, height: LANE - 6,
        fill: colour(s.status), 'class': 'bar status-' + s.status, 'data-stage': i, rx: 2 });
      if (s.group >= 0) bar.setAttribute('data-group', s.group);
      const title = svgEl('title', {});
      title.textContent = s.id + ': ' + s.status + ', ' + seconds(s.e - s.s) + (s.reason ? ' (' + s.reason + ')' : '');
      bar.appendChild(title);
      bar.addEventListener('click', () => select(i));
      bars[i] = bar;
      svg.appendChild(bar);
    });
    gantt.appendChild(svg);
    const legend = document.getElementById('legend');
    ['success', 'failed', 'skipped', 'cancelled', 'running'].forEach(st => {
      const i = el('i'); i.style.background = colour(st);
      legend.appendChild(el('span', null, [i, st]));
    });
    const notRun = stages.filter(s => s.ran === false).length;
    legend.appendChild(el('span', { text: job.lanes + ' parallel slot' + (job.lanes === 1 ? '' : 's') + ' used'
      + (job.maxParallel ? ' of ' + job.maxParallel : '')
      + (notRun ? '; ' + notRun + ' up-to-date stage' + (notRun === 1 ? '' : 's') + ' did not run' : '') }));
  }
  function niceStep(raw) {
    if (!(raw > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
  }

  // ---- stage table -------------------------------------------------------------------------------------------------
  // The first rows are drawn at once, the rest on request: 1,000 rows with their sparklines were half the time a
  // 1,000-stage report took to show (bench/scripts/report-render.sh).
  const FIRST_ROWS = 200;
  const rows = [];
  let tableBody = null, tableGroup = -2, drawnRows = 0;
  function drawTable(all) {
    const table = document.getElementById('stage-table');
    if (!table.firstChild) {
      const head = ['Stage', 'Status', 'Slot', 'Start', 'Duration', 'CPU', 'Peak RSS', 'Cost', 'Warn', 'Err', 'CPU over time',
        'Why it ran'];
      table.appendChild(el('thead', null, [el('tr', null, head.map(h => el('th', { text: h })))]));
    }
    const end = all ? stages.length : Math.min(stages.length, FIRST_ROWS);
    for (let i = drawnRows; i < end; i++) drawRow(table, stages[i], i);
    drawnRows = end;
    const more = document.getElementById('more-rows');
    if (more) more.parentNode.removeChild(more);
    if (drawnRows < stages.length) {
      const button = el('button', { id: 'more-rows', type: 'button', text: 'Show all ' + stages.length + ' stage runs' });
      button.addEventListener('click', () => drawTable(true));
      table.parentNode.appendChild(button);
    }
  }
  function drawRow(table, s, i) {
    if (s.group !== tableGroup || s.group < 0) {
      tableBody = el('tbody');
      table.appendChild(tableBody);
      tableGroup = s.group;
      if (s.group >= 0) tableBody.appendChild(groupHead(s.group, tableBody));
    }
    const r = s.res || {};
    const row = el('tr', { cls: 'stage' + (s.group >= 0 ? ' item' : ''), 'data-stage': i }, [
      el('td', { text: s.id }),
      el('td', { cls: statusClass(s), text: statusText(s) }),
      el('td', { cls: 'num', text: s.lane >= 0 ? String(s.lane + 1) : '' }),
      el('td', { cls: 'num', text: s.lane >= 0 ? seconds(s.s) : '' }),
      el('td', { cls: 'num', text: s.lane >= 0 ? seconds(s.e - s.s) : '' }),
      el('td', { cls: 'num', text: r.cpu !== undefined ? seconds(r.cpu) + sharedMark(r, 'cpu') : '' }),
      el('td', { cls: 'num', text: r.rss !== undefined ? r.rss.toFixed(1) + ' MB' + sharedMark(r, 'peak_rss') : '' }),
      el('td', { cls: 'num', text: s.cost ? money(s.cost.total, s.cost.currency) : '' }),
      el('td', { cls: 'num', text: String(s.warn) }),
      el('td', { cls: 'num', text: String(s.err) }),
      el('td', null, [s.curves ? sparkline(decode(s.curves.t), decode(s.curves.cpu))
        : el('span', { cls: 'muted', text: 'no samples' })]),
      el('td', { text: (s.reasons || []).join('; ') }),
    ]);
    row.addEventListener('click', () => select(i));
    rows[i] = row;
    tableBody.appendChild(row);
  }
  function groupHead(gi, body) {
    const g = groups[gi];
    const counts = {};
    g.items.forEach(i => { const t = statusText(stages[i]); counts[t] = (counts[t] || 0) + 1; });
    const summary = Object.keys(counts).map(k => counts[k] + ' ' + k).join(', ');
    const span = g.row >= 0 ? ', ' + seconds(g.e - g.s) + ' from first start to last end' : '';
    const head = el('tr', { cls: 'group-head', 'data-group': gi }, [
      el('td', { colspan: 12, text: '\u25be ' + g.id + ': fan-out of ' + g.items.length + ' items (' + summary + ')' + span }),
    ]);
    head.addEventListener('click', () => { body.classList.toggle('collapsed'); selectGroup(gi); });
    return head;
  }
  function sparkline(t, values) {
    const w = 120, h = 22;
    const svg = svgEl('svg', { width: w, height: h, 'class': 'spark' });
    const line = values ? path(t, values, w, h, null) : null;
    if (line) svg.appendChild(svgEl('path', { d: line, fill: 'none', stroke: '#1f5fbf', 'stroke-width': 1 }));
    return svg;
  }
  function path(t, values, w, h, max) {
    const points = [];
    let top = max || 0;
    for (let i = 0; i < values.length; i++) if (values[i] !== null && values[i] > top) top = values[i];
    if (top <= 0) top = 1;
    const end = t[t.length - 1] || 1;
    let d = '', pen = false;
    for (let i = 0; i < values.length; i++) {
      if (values[i] === null) { pen = false; continue; }
      const px = (t[i] / end) * (w - 2) + 1, py = h - 1 - (values[i] / top) * (h - 2);
      d += (pen ? 'L' : 'M') + px.toFixed(1) + ',' + py.toFixed(1);
      pen = true;
      points.push(px);
    }
    return points.length ? d : null;
  }

  // ---- details -----------------------------------------------------------------------------------------------------
  const details = document.getElementById('details');
  const lineageNodes = {};
  function clearDetails() { while (details.firstChild) details.removeChild(details.firstChild); }
  function facts(pairs) {
    const dl = el('dl');
    pairs.forEach(p => {
      if (p[1] === null || p[1] === undefined || p[1] === '') return;
      dl.appendChild(el('dt', { text: p[0] }));
      dl.appendChild(el('dd', { text: String(p[1]) }));
    });
    return dl;
  }
  function mark(i) {
    if (selected >= 0) {
      if (bars[selected]) bars[selected].classList.remove('sel');
      if (rows[selected]) rows[selected].classList.remove('sel');
      const old = lineageNodes[stages[selected].node];
      if (old) old.classList.remove('hl-focus');
    }
    selected = i;
    if (i < 0) return;
    if (bars[i]) bars[i].classList.add('sel');
    if (rows[i]) rows[i].classList.add('sel');
    const node = lineageNodes[stages[i].node];
    if (node) node.classList.add('hl-focus');
  }
  function select(i) {
    mark(i);
    const s = stages[i];
    clearDetails();
    details.appendChild(el('h2', { text: s.id }));
    const r = s.res || {};
    details.appendChild(facts([
      ['status', statusText(s)], ['reason', s.reason], ['name', s.name],
      ['item', s.item ? s.item.key + ' = ' + s.item.value : null],
      ['slot', s.lane >= 0 ? s.lane + 1 : null], ['started', s.lane >= 0 ? '+' + seconds(s.s) : null],
      ['duration', s.lane >= 0 ? seconds(s.e - s.s) : null], ['attempt', s.attempt], ['kind', s.kind],
      ['exit code', s.exit], ['reused from', s.reused], ['recorded by run', s.producedBy],
    ]));
    if (s.cmd) { details.appendChild(el('h3', { text: 'Command' })); details.appendChild(el('pre', { text: s.cmd })); }
    section('Why it ran', s.reasons && s.reasons.length
      ? el('ul', null, s.reasons.map(x => el('li', { text: x })))
      : el('p', { cls: 'muted', text: 'no reasons recorded' }));
    if (s.prev) {
      section('Previous run', facts([['status', s.prev.status + (s.prev.reason ? ' (' + s.prev.reason + ')' : '')],
        ['duration', seconds(s.prev.d) + (s.lane >= 0 ? ' \u2192 ' + seconds(s.e - s.s) : '')]]));
    }
    section('Resources', facts([['CPU time', r.cpu !== undefined ? seconds(r.cpu) + sharedText(r, 'cpu') : null],
      ['CPU', r.cpuPct !== undefined ? r.cpuPct.toFixed(0) + ' %' : null],
      ['CPU time of its own code', r.codeCpu !== undefined ? seconds(r.codeCpu) + ' (on the engine\'s threads)' : null],
      ['peak RSS', r.rss !== undefined ? r.rss.toFixed(1) + ' MB' + (r.rssUpper ? ' (at most)' : '') + sharedText(r, 'peak_rss') : null],
      ['read', bytes(r.read)], ['written', bytes(r.write)], ['GPU', r.gpu], ['measured by', r.by]]));
    details.appendChild(s.curves ? charts(s.curves) : el('p', { cls: 'muted', text: s.curvesNote || 'no samples' }));
    if (s.cost) {
      const t = el('table', null, [el('tr', null, ['unit', 'quantity', 'rate', 'amount', 'source'].map(h => el('th', { text: h })))]);
      s.cost.lines.forEach(l => t.appendChild(el('tr', null,
        l.map((v, k) => el('td', { cls: k > 0 && k < 4 ? 'num' : '', text: v === null ? '' : String(v) })))));
      section('Cost: ' + money(s.cost.total, s.cost.currency), t);
    } else section('Cost', el('p', { cls: 'muted', text: 'no cost recorded' }));
    if (s.problems.length) section('Warnings and errors', problemList(s.problems));
    if (s.tries) section('Tries', el('ul', null, s.tries.map(x => el('li', { text: x }))));
    section('Config', el('pre', { text: JSON.stringify(s.config || {}, null, 2) }));
    if (history.replaceState) history.replaceState(null, '', '#stage=' + encodeURIComponent(s.id));
  }
  function section(title, body) { details.appendChild(el('h3', { text: title })); details.appendChild(body); }
  function selectGroup(gi) {
    mark(-1);
    const g = groups[gi];
    clearDetails();
    details.appendChild(el('h2', { text: g.id }));
    details.appendChild(facts([['items', g.items.length], ['span', g.row >= 0 ? seconds(g.e - g.s) : 'did not run']]));
    details.appendChild(el('ul', null, g.items.map(i => {
      const a = el('a', { href: '#stage=' + encodeURIComponent(stages[i].id), text: stages[i].id });
      a.addEventListener('click', ev => { ev.preventDefault(); select(i); });
      return el('li', null, [a, ' ', el('span', { cls: statusClass(stages[i]), text: statusText(stages[i]) })]);
    })));
  }
  function charts(c) {
    const box = el('div', { cls: 'charts' });
    const t = decode(c.t);
    const series = [['CPU %', decode(c.cpu), 100], ['memory MB', decode(c.rss), null], ['read B/s', decode(c.rd), null],
      ['write B/s', decode(c.wr), null], ['GPU %', decode(c.gpu), 100], ['GPU memory MB', decode(c.gmem), null]];
    series.forEach(x => {
      if (!x[1] || x[1].every(v => v === null)) return;
      const svg = svgEl('svg', { width: 170, height: 60, 'class': 'curve' });
      const d = path(t, x[1], 170, 60, x[2]);
      if (d) svg.appendChild(svgEl('path', { d: d, fill: 'none', stroke: '#1f5fbf', 'stroke-width': 1.2 }));
      const peak = Math.max.apply(null, x[1].filter(v => v !== null));
      box.appendChild(el('div', { cls: 'chart' }, [x[0] + ' (max ' + (peak >= 100 ? peak.toFixed(0) : peak.toFixed(1)) + ')', svg]));
    });
    box.appendChild(el('div', { cls: 'chart', text: c.rows + ' samples over ' + seconds(c.t[0]) }));
    return box;
  }
  function problemList(problems) {
    const ul = el('ul');
    problems.forEach(p => {
      const level = el('span', { cls: p.err ? 'status status-failed' : 'status status-skipped', text: p.err ? 'error' : 'warning' });
      const li = el('li', null, [level, ' ', p.msg]);
      if (p.log !== undefined) li.appendChild(logLink(p.log));
      else li.appendChild(el('span', { cls: 'muted', text: ' (line not found in the stage log)' }));
      if (p.exc) li.appendChild(el('pre', { text: p.exc }));
      ul.appendChild(li);
    });
    return ul;
  }
  function logLink(id) {
    const x = data.logs[id];
    return el('a', { href: '#log-' + id, text: ' \u2192 ' + x.path + ' line ' + (x.first + x.hit) + (x.from ? ' of ' + x.from : '') });
  }

  // ---- warnings and errors, log excerpts -----------------------------------------------------------------------------
  function drawProblems() {
    const box = document.getElementById('problem-list');
    const all = [];
    stages.forEach((s, i) => s.problems.forEach(p => all.push([p, i])));
    all.sort((a, b) => (a[0].ts < b[0].ts ? -1 : a[0].ts > b[0].ts ? 1 : 0));
    if (!all.length && !job.warnings.length) { box.appendChild(el('p', { cls: 'muted', text: 'No warnings or errors were recorded.' })); return; }
    const t = el('table', null, [el('tr', null, ['time (UTC)', 'stage', 'level', 'message', 'log'].map(h => el('th', { text: h })))]);
    job.warnings.forEach(w => t.appendChild(el('tr', null, [el('td'), el('td', { text: w.stage }),
      el('td', { cls: 'status status-skipped', text: 'job warning' }),
      el('td', { text: w.message + (w.skipped ? ' (skipped: ' + w.skipped.join(', ') + ')' : '') }), el('td')])));
    all.forEach(pair => {
      const p = pair[0], i = pair[1];
      const stageLink = el('a', { href: '#stage=' + encodeURIComponent(stages[i].id), text: stages[i].id });
      stageLink.addEventListener('click', ev => { ev.preventDefault(); select(i); });
      t.appendChild(el('tr', { cls: p.err ? 'error' : 'warning' }, [
        el('td', { text: p.ts.replace('T', ' ').replace(/\.\d+/, '') }), el('td', null, [stageLink]),
        el('td', { cls: p.err ? 'status status-failed' : 'status status-skipped', text: p.err ? 'error' : 'warning' }), el('td', { text: p.msg }),
        el('td', null, [p.log !== undefined ? logLink(p.log) : el('span', { cls: 'muted', text: 'not found' })])]));
    });
    box.appendChild(t);
    const logs = document.getElementById('log-excerpts');
    if (!data.logs.length) logs.appendChild(el('p', { cls: 'muted', text: 'No log excerpts.' }));
    data.logs.forEach((x, id) => {
      const pre = el('pre');
      x.lines.forEach((line, k) => {
        const number = el('span', { cls: 'ln', text: String(x.first + k) });
        const span = el('span', { cls: k === x.hit ? 'hit' + (x.warn ? ' warning' : '') : '' }, [number, line]);
        pre.appendChild(span);
        if (k !== x.hit) pre.appendChild(document.createTextNode('\n'));
      });
      logs.appendChild(el('div', { cls: 'excerpt', id: 'log-' + id }, [
        el('h3', { text: x.path + ', lines ' + x.first + '\u2013' + (x.first + x.lines.length - 1)
        + (x.from ? ' of ' + x.from : '') }), pre]));
    });
  }

  // ---- what changed --------------------------------------------------------------------------------------------------
  function drawChanges() {
    const box = document.getElementById('change-list');
    const p = data.previous;
    if (!p) box.appendChild(el('p', { cls: 'muted', text: data.previousNote || 'No previous run recorded.' }));
    else box.appendChild(facts([['previous run', p.run], ['started', p.started], ['status', (p.status || 'unknown') + ' \u2192 ' + job.status],
      ['duration', seconds(p.d) + ' \u2192 ' + seconds(job.duration)]]));
    const t = el('table', null, [el('tr', null, ['stage', 'now', 'before', 'duration', 'why it ran'].map(h => el('th', { text: h })))]);
    let same = 0, shown = 0;
    stages.forEach((s, i) => {
      const before = s.prev ? s.prev.status + (s.prev.reason ? ' (' + s.prev.reason + ')' : '') : (p ? 'not run' : '');
      if (s.ran === false && (!s.prev || s.prev.status === 'skipped')) { same++; return; }
      const link = el('a', { href: '#stage=' + encodeURIComponent(s.id), text: s.id });
      link.addEventListener('click', ev => { ev.preventDefault(); select(i); });
      const d = s.lane >= 0 ? (s.prev ? seconds(s.prev.d) + ' \u2192 ' : '') + seconds(s.e - s.s) : '';
      t.appendChild(el('tr', null, [el('td', null, [link]), el('td', { cls: statusClass(s), text: statusText(s) }), el('td', { text: before }),
        el('td', { text: d }), el('td', { text: (s.reasons || []).join('; ') })]));
      shown++;
    });
    if (shown) box.appendChild(t);
    if (same) box.appendChild(el('p', { cls: 'muted', text: same + ' stage' + (same === 1 ? ' was' : 's were') + ' up to date and did not run.' }));
  }

  // ---- cost, config --------------------------------------------------------------------------------------------------
  function drawCost() {
    const box = document.getElementById('cost-list');
    if (!job.cost) { box.appendChild(el('p', { cls: 'muted', text: 'No cost recorded: the run had no rate card.' })); return; }
    box.appendChild(el('p', { text: 'Total: ' + money(job.cost.total, job.cost.currency) }));
    const t = el('table', null, [el('tr', null, ['unit', 'quantity', 'rate', 'amount', 'source'].map(h => el('th', { text: h })))]);
    job.cost.lines.forEach(l => t.appendChild(el('tr', null, l.map(v => el('td', { text: v === null ? '' : String(v) })))));
    box.appendChild(t);
    const top = stages.map((s, i) => [s, i]).filter(x => x[0].cost).sort((a, b) => b[0].cost.total - a[0].cost.total).slice(0, 10);
    if (top.length) {
      box.appendChild(el('h3', { text: 'Costliest stages' }));
      box.appendChild(el('ol', null, top.map(x => el('li', { text: x[0].id + ': ' + money(x[0].cost.total, x[0].cost.currency) }))));
    }
  }
  function drawConfig() {
    const box = document.getElementById('config-list');
    const c = data.config;
    box.appendChild(facts([['command line', c.command.length ? 'waybill ' + c.command.join(' ') : null],
      ['overrides', c.overrides.join(', ') || 'none']]));
    box.appendChild(el('h3', { text: 'Pipeline as run (.waybill/pipeline.yaml)' }));
    if (c.snapshotNote) box.appendChild(el('p', { cls: 'muted', text: c.snapshotNote }));
    if (c.snapshot !== undefined) box.appendChild(el('pre', { id: 'snapshot', text: c.snapshot }));
    box.appendChild(el('p', { cls: 'muted', text: 'Each stage\u2019s config as its manifest recorded it is in the stage\u2019s details.' }));
  }

  // ---- lineage, address --------------------------------------------------------------------------------------------
  const index = {};
  stages.forEach((s, i) => { index[s.id] = i; });
  const byNode = {};
  stages.forEach((s, i) => { if (s.node) byNode[s.node] = i; });
  // The lineage drawing waits in a <template> until its section comes near the screen: parsing and laying out its
  // thousands of elements was a third of the time a 1,000-stage report took to show (bench/scripts/report-render.sh).
  function drawLineage() {
    const template = document.getElementById('lineage-svg');
    if (!template) return;
    const started = performance.now();
    document.getElementById('graph').appendChild(template.content);
    template.parentNode.removeChild(template);
    document.querySelectorAll('#graph .node').forEach(n => { lineageNodes[n.id] = n; });
    const graph = document.querySelector('#graph svg');
    if (graph) graph.addEventListener('click', ev => {
      const node = ev.target.closest('.node');
      if (node && byNode[node.id] !== undefined) select(byNode[node.id]);
    });
    if (selected >= 0 && lineageNodes[stages[selected].node]) lineageNodes[stages[selected].node].classList.add('hl-focus');
    void document.body.offsetHeight;
    document.documentElement.setAttribute('data-lineage-ms', (performance.now() - started).toFixed(1));
  }
  if ('IntersectionObserver' in window) {
    const watch = new IntersectionObserver(entries => {
      if (entries.some(e => e.isIntersecting)) { watch.disconnect(); drawLineage(); }
    }, { rootMargin: '400px' });
    watch.observe(document.getElementById('lineage'));
  } else drawLineage();
  function fromAddress() {
    const m = /^#stage=(.*)$/.exec(location.hash);
    if (m && index[decodeURIComponent(m[1])] !== undefined) select(index[decodeURIComponent(m[1])]);
  }

  // '#all' draws everything at once (the whole table and the lineage), for measuring the worst case.
  const all = location.hash === '#all';
  drawTimeline();
  drawTable(all);
  if (all) drawLineage();
  drawProblems();
  drawChanges();
  drawCost();
  drawConfig();
  window.addEventListener('hashchange', fromAddress);
  fromAddress();
  // Layout is forced before the time is taken, so the figure covers styling and layout too (bench/scripts/report-render.sh).
  void document.body.offsetHeight;
  document.documentElement.setAttribute('data-render-ms', performance.now().toFixed(1));
})();
