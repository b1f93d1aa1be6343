// ORPO pipeline dashboard: run list (polled), one run's view (fetched) kept live by its SSE stream.
// No libraries: the charts are plain SVG. Each chart keeps data-points = points drawn (train + eval).
'use strict';

// TRL ORPOTrainer's logged metrics, in the order the seed's W&B panels show them; other names follow alphabetically.
const METRICS = ['loss', 'nll_loss', 'log_odds_ratio', 'log_odds_chosen', 'rewards/accuracies', 'rewards/margins',
  'rewards/chosen', 'rewards/rejected', 'learning_rate', 'grad_norm'];
const STAGE_LABELS = {
  requested: 'requested', dataset_prepared: 'dataset', training_started: 'training', checkpoint_saved: 'checkpoint',
  training_completed: 'trained', model_merged: 'merged', evaluation_completed: 'eval', failed: 'failed',
  cancelled: 'cancelled'
};
const SVG = 'http://www.w3.org/2000/svg';

let current = null;      // {id, view, lastSeq, train: {name: Map(step → value)}, eval: {...}, source}
let refetchTimer = null;
let drawPending = false;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return e;
}

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function fmt(v) {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : '';
}

// ---- run list -------------------------------------------------------------------------------------------------

function stageChips(timeline) {
  const chips = el('div', {class: 'chips'});
  const counts = new Map();
  for (const s of timeline) counts.set(s.stage, (counts.get(s.stage) || 0) + 1);
  for (const [stage, n] of counts) {
    chips.append(el('span', {class: 'chip ' + stage, title: stage}, (STAGE_LABELS[stage] || stage)
      + (n > 1 ? ' ×' + n : '')));
  }
  return chips;
}

function progressText(p) {
  return p ? p.step + ' / ' + p.total_steps : '';
}

async function loadRuns() {
  try {
    const runs = await (await fetch('/api/runs')).json();
    const body = document.querySelector('#runs tbody');
    body.replaceChildren(...runs.map(r => {
      const row = el('tr', {'data-run': r.run_id, class: current && current.id === r.run_id ? 'selected' : null},
        el('td', {}, el('code', {}, r.run_id)), el('td', {}, r.model || ''),
        el('td', {}, el('span', {class: 'status ' + r.status, title: r.failure_reason || ''}, r.status)),
        el('td', {}, progressText(r.progress)), el('td', {}, stageChips(r.timeline)));
      row.addEventListener('click', () => { location.hash = 'run=' + r.run_id; });
      return row;
    }));
    document.getElementById('no-runs').hidden = runs.length > 0;
    document.getElementById('conn').textContent = runs.length + ' run(s) · updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    document.getElementById('conn').textContent = 'dashboard unreachable: ' + e;
  }
}

// ---- one run --------------------------------------------------------------------------------------------------

function seriesMaps(series) {
  const out = {};
  for (const [name, points] of Object.entries(series || {})) out[name] = new Map(points.map(p => [p.step, p.value]));
  return out;
}

async function fetchView(id) {
  const resp = await fetch('/api/runs/' + encodeURIComponent(id));
  return resp.ok ? resp.json() : null;
}

async function select(id) {
  if (current && current.source) current.source.close();
  current = {id, view: null, lastSeq: 0, train: {}, eval: {}, source: null};
  document.getElementById('run').hidden = false;
  document.getElementById('run-title').textContent = id;
  const view = await fetchView(id);
  if (!current || current.id !== id) return;
  if (view) adopt(view);
  renderRun();
  follow(id);
  loadRuns();
}

function adopt(view) {
  current.view = view;
  current.lastSeq = Math.max(current.lastSeq, view.last_seq);
  current.train = seriesMaps(view.train);
  current.eval = seriesMaps(view.eval);
}

// Live: progress events extend the curves in place; any other event re-reads the view (timeline, table, artifacts).
function follow(id) {
  const source = new EventSource('/api/runs/' + encodeURIComponent(id) + '/events?after=' + current.lastSeq);
  current.source = source;
  document.body.dataset.sse = 'connecting';
  source.onopen = () => { document.body.dataset.sse = 'open'; };
  source.onerror = () => { document.body.dataset.sse = 'reconnecting'; };
  source.onmessage = msg => {
    if (!current || current.id !== id) return;
    const e = JSON.parse(msg.data);
    document.body.dataset.liveEvents = String(Number(document.body.dataset.liveEvents) + 1);
    if (e.seq <= current.lastSeq) return;      // already in the view (or a replay after reconnecting)
    current.lastSeq = e.seq;
    if (e.type === 'TrainingProgressed') {
      const ev = e.event;
      const target = ev.phase === 'eval' ? current.eval : current.train;
      for (const [name, value] of Object.entries(ev.metrics || {})) {
        (target[name] = target[name] || new Map()).set(ev.step, value);
      }
      if (ev.phase !== 'eval' && current.view) {
        current.view.progress = {step: ev.step, total_steps: ev.total_steps, epoch: ev.epoch,
          tokens_per_second: ev.tokens_per_second, eta_seconds: ev.eta_seconds};
      }
      scheduleDraw();
    } else {
      scheduleRefetch(id);
    }
  };
}

function scheduleDraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => { drawPending = false; renderMeta(); renderCharts(); });
}

function scheduleRefetch(id) {
  clearTimeout(refetchTimer);
  refetchTimer = setTimeout(async () => {
    const view = await fetchView(id);
    if (view && current && current.id === id) {
      adopt(view);
      renderRun();
      loadRuns();
    }
  }, 150);
}

function renderRun() {
  renderMeta();
  const v = current.view;
  const timeline = document.getElementById('timeline');
  timeline.replaceChildren(...(v ? v.timeline : []).map(s => el('li', {class: s.stage},
    (STAGE_LABELS[s.stage] || s.stage) + (s.step != null ? ' @' + s.step : ''),
    el('small', {}, time(s.at) + ' · ' + (s.detail || '')))));
  const failure = document.getElementById('failure');
  failure.hidden = !(v && v.failure);
  if (v && v.failure) {
    failure.replaceChildren(el('strong', {}, 'Failed in ' + v.failure.stage + ': '), v.failure.reason,
      el('ul', {}, ...(v.failure.errors || []).map(e => el('li', {}, el('code', {}, e.path), ': ' + e.reason))));
  }
  renderCharts();
  renderEvaluation(v && v.evaluation);
  renderArtifacts(v ? v.artifacts : []);
}

function renderMeta() {
  const v = current.view;
  const meta = document.getElementById('run-meta');
  if (!v) { meta.textContent = 'not seen yet: waiting for its events'; return; }
  const p = v.progress;
  meta.textContent = [v.status, v.model, p ? 'step ' + p.step + ' / ' + p.total_steps + ', epoch ' + fmt(p.epoch)
    + (p.tokens_per_second ? ', ' + fmt(p.tokens_per_second) + ' tok/s' : '') : null]
    .filter(Boolean).join(' · ');
}

function metricNames() {
  const names = new Set([...Object.keys(current.train), ...Object.keys(current.eval).map(n => n.replace(/^eval_/, ''))]);
  const known = METRICS.filter(m => names.has(m));
  return known.concat([...names].filter(n => !METRICS.includes(n)).sort());
}

function renderCharts() {
  const box = document.getElementById('charts');
  const names = metricNames();
  document.getElementById('no-metrics').hidden = names.length > 0;
  const existing = new Map([...box.children].map(c => [c.dataset.metric, c]));
  const charts = names.map(name => {
    const chart = existing.get(name) || el('div', {class: 'chart', 'data-metric': name});
    drawChart(chart, name, points(current.train[name]), points(current.eval['eval_' + name]));
    return chart;
  });
  box.replaceChildren(...charts);
}

function points(map) {
  if (!map) return [];
  return [...map.entries()].map(([s, v]) => [Number(s), Number(v)]).filter(([s, v]) => Number.isFinite(v))
    .sort((a, b) => a[0] - b[0]);
}

// ~n round tick values covering [lo, hi]
function ticks(lo, hi, n, integer) {
  const raw = (hi - lo) / n;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const r = raw / mag;
  let step = (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;    // 1, 2 or 5 times a power of ten
  if (integer) step = Math.max(1, Math.round(step));
  const out = [];
  // multiples of step (i * step, not a running sum, so 0 stays exactly 0)
  for (let i = Math.ceil(lo / step); i * step <= hi + step * 1e-9; i++) out.push(Number((i * step).toPrecision(12)));
  return out;
}

function drawChart(chart, name, train, evalPts) {
  const W = 320, H = 180, L = 52, R = 10, T = 22, B = 28;
  const all = train.concat(evalPts);
  chart.dataset.points = String(all.length);
  chart.dataset.trainPoints = String(train.length);
  chart.dataset.evalPoints = String(evalPts.length);
  const s = svg('svg', {viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': name});
  const last = train.length ? train[train.length - 1][1] : (evalPts.length ? evalPts[evalPts.length - 1][1] : null);
  s.append(svg('text', {x: 6, y: 14, class: 'title'}, name + (last != null ? '  ' + fmt(last) : '')));
  if (all.length) {
    let x0 = Math.min(...all.map(p => p[0])), x1 = Math.max(...all.map(p => p[0]));
    let y0 = Math.min(...all.map(p => p[1])), y1 = Math.max(...all.map(p => p[1]));
    if (x0 === x1) { x0 -= 1; x1 += 1; }
    if (y0 === y1) { const d = Math.abs(y0) * 0.1 || 1; y0 -= d; y1 += d; }
    const pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad;
    const X = x => L + (x - x0) / (x1 - x0) * (W - L - R);
    const Y = y => H - B - (y - y0) / (y1 - y0) * (H - T - B);
    for (const t of ticks(y0, y1, 4, false)) {
      s.append(svg('line', {x1: L, x2: W - R, y1: Y(t), y2: Y(t), class: 'grid'}));
      s.append(svg('text', {x: L - 4, y: Y(t) + 3, 'text-anchor': 'end'}, fmt(t)));
    }
    for (const t of ticks(x0, x1, 5, true)) {
      s.append(svg('line', {x1: X(t), x2: X(t), y1: H - B, y2: H - B + 4, class: 'axis'}));
      s.append(svg('text', {x: X(t), y: H - B + 14, 'text-anchor': 'middle'}, String(t)));
    }
    s.append(svg('line', {x1: L, x2: L, y1: T, y2: H - B, class: 'axis'}));
    s.append(svg('line', {x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axis'}));
    s.append(svg('text', {x: W - R, y: H - 2, 'text-anchor': 'end'}, 'step'));
    const line = (pts, cls) => svg('polyline', {class: cls, points: pts.map(p => X(p[0]) + ',' + Y(p[1])).join(' ')});
    if (train.length) s.append(line(train, 'train'));
    if (evalPts.length) {
      s.append(line(evalPts, 'eval'));
      for (const p of evalPts) s.append(svg('circle', {cx: X(p[0]), cy: Y(p[1]), r: 2.5, class: 'eval'}));
    }
  }
  chart.replaceChildren(s);
}

// The seed's table: the suite columns and the average per model, then one row per task metric and other metric with a
// column per model and the change from the first model (base) to the last (tuned).
const SUITES = ['AGIEval', 'GPT4All', 'TruthfulQA', 'Bigbench', 'average'];
const PERCENT = /\/(acc|acc_norm|mc2|exact_match)$/;

function renderEvaluation(ev) {
  const box = document.getElementById('evaluation');
  document.getElementById('eval-caption').textContent = ev ? ev.target + ' @ step ' + ev.step + ' · ' + time(ev.at) : '';
  if (!ev) { box.replaceChildren(el('p', {class: 'muted'}, 'No evaluation yet.')); return; }
  const models = Object.keys(ev.table);
  const columns = [...new Set(models.flatMap(m => Object.keys(ev.table[m])))];
  const summary = SUITES.filter(c => columns.includes(c));
  const rest = columns.filter(c => !SUITES.includes(c));
  const value = (m, c) => ev.table[m][c] == null ? null : Number(ev.table[m][c]);
  const show = (c, v) => v == null ? '' : (SUITES.includes(c) || PERCENT.test(c)) ? v.toFixed(2) : fmt(v);
  const change = models.length === 2;
  const parts = [];
  if (summary.length) {
    parts.push(el('table', {id: 'eval-summary'},
      el('tr', {}, el('th', {}, 'model'), ...summary.map(c => el('th', {}, c))),
      ...models.map(m => el('tr', {}, el('th', {}, m), ...summary.map(c => el('td', {class: 'num'}, show(c, value(m, c))))))));
  }
  parts.push(el('table', {id: 'eval-table'},
    el('tr', {}, el('th', {}, 'metric'), ...models.map(m => el('th', {}, m)), change ? el('th', {}, 'change') : ''),
    ...rest.map(c => {
      const d = change && value(models[0], c) != null && value(models[1], c) != null
        ? value(models[1], c) - value(models[0], c) : null;
      return el('tr', {}, el('th', {}, c), ...models.map(m => el('td', {class: 'num'}, show(c, value(m, c)))),
        change ? el('td', {class: 'num change'}, d == null ? '' : (d >= 0 ? '+' : '') + show(c, d)) : '');
    })));
  box.replaceChildren(...parts);
}

function renderArtifacts(artifacts) {
  const list = document.getElementById('artifacts');
  document.getElementById('artifacts-link').href = '/runs/' + encodeURIComponent(current.id) + '/artifacts';
  list.replaceChildren(...artifacts.map(a => el('li', {}, a.kind + (a.step != null ? ' @' + a.step : '') + ': ',
    el('code', {}, a.uri), Object.keys(a.files || {}).length ? ' (' + Object.keys(a.files).length + ' files)' : '')));
  if (!artifacts.length) list.replaceChildren(el('li', {class: 'muted'}, 'none yet'));
}

// ---- routing --------------------------------------------------------------------------------------------------

function route() {
  const m = /run=([a-z0-9-]+)/.exec(location.hash);
  if (m && (!current || current.id !== m[1])) select(m[1]);
}

window.addEventListener('hashchange', route);
loadRuns();
setInterval(loadRuns, 2000);
route();
