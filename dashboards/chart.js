/*
 * tmon dashboard: inline SVG charts built with DOM calls (no markup
 * strings, no inline styles: colours come from classes in style.css).
 */
import { el, add, fmtTime, isSeq, str, verdictClass, eventClass, arr } from './util.js';

const NS = 'http://www.w3.org/2000/svg';
export const DAY_S = 86400;

function svg(tag, attrs) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  return e;
}

function title(e, text) {
  const t = svg('title');
  t.textContent = text;
  e.appendChild(t);
  return e;
}

function count(v) {
  return Number.isSafeInteger(v) && v >= 0 ? v : 0;
}

/* The worst verdict of a day [day, pass, warn, fail, error], or 'none'. */
function dayVerdict(d) {
  if (count(d[3]) > 0) return 'fail';
  if (count(d[4]) > 0) return 'error';
  if (count(d[2]) > 0) return 'warn';
  if (count(d[1]) > 0) return 'pass';
  return 'none';
}

/*
 * A bar of the last `days` days (UTC) of daily verdict counts, from
 * /api/v1/models "daily": [[day, pass, warn, fail, error], ...] where day
 * is floor(time / 86400).  One slot a day, coloured by its worst verdict;
 * days without probes are grey.  Returns null when daily is not an array
 * (a server without it).
 */
export function dailyBar(daily, days = 90) {
  if (!Array.isArray(daily)) return null;
  const today = Math.floor(Date.now() / 1000 / DAY_S);
  const byDay = new Map();
  for (const d of daily) {
    if (!Array.isArray(d) || !Number.isSafeInteger(d[0])) continue;
    byDay.set(d[0], d);
  }
  const w = 4;
  const s = svg('svg', { viewBox: `0 0 ${days * w} 20`, preserveAspectRatio: 'none',
    class: 'daily', role: 'img' });
  let bad = 0, probed = 0;
  for (let i = 0; i < days; i++) {
    const day = today - (days - 1) + i;
    const d = byDay.get(day);
    const v = d ? dayVerdict(d) : 'none';
    if (v !== 'none') probed++;
    if (v === 'fail' || v === 'error') bad++;
    const r = svg('rect', { x: i * w + 0.5, y: 0, width: w - 1, height: 20,
      class: 'd-' + v });
    const date = new Date(day * DAY_S * 1000).toISOString().slice(0, 10);
    title(r, d ? `${date}: ${count(d[1])} pass, ${count(d[2])} warn, ` +
      `${count(d[3])} fail, ${count(d[4])} error` : `${date}: no probes`);
    s.appendChild(r);
  }
  s.setAttribute('aria-label', `last ${days} days: ${probed} days probed, ` +
    `${bad} with a failed or unverifiable probe`);
  const box = el('div', 'dailybox');
  box.appendChild(s);
  add(box, add(el('div', 'axis'), el('span', null, days + ' days ago'),
    el('span', null, probed > 0 ? `${bad} bad of ${probed} days` : 'no probes'),
    el('span', null, 'today')));
  return box;
}

/*
 * The model page's chart: one lane of probe verdicts over time and one
 * of classified events (measurement changes), each mark a link to its
 * probe.  probes: [{seq, time, verdict}], events: [{seq, time, class,
 * probe_seq}]; the chart spans the probes (events before the oldest are
 * left out).  Returns a figure element.
 */
export function modelChart(probes, events) {
  const pts = arr(probes).filter(p => isSeq(p.seq) && Number.isSafeInteger(p.time));
  let evs = arr(events).filter(e => Number.isSafeInteger(e.time));
  /* the span of the probes shown; events before it are on the timeline */
  if (pts.length > 0) {
    const p0 = Math.min(...pts.map(p => p.time));
    evs = evs.filter(e => e.time >= p0);
  }
  const fig = el('figure', 'chart');
  if (pts.length === 0 && evs.length === 0) {
    fig.appendChild(el('p', 'muted', 'Nothing to chart yet.'));
    return fig;
  }
  const times = pts.map(p => p.time).concat(evs.map(e => e.time));
  let t0 = Math.min(...times), t1 = Math.max(...times);
  if (t1 - t0 < 60) { t0 -= 30; t1 += 30; }
  const W = 1000, H = 100;
  const x = t => 10 + (t - t0) / (t1 - t0) * (W - 20);
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none',
    class: 'timechart', role: 'img',
    'aria-label': `${pts.length} probes and ${evs.length} events over time` });
  s.appendChild(svg('rect', { x: 0, y: 8, width: W, height: 34, class: 'lane' }));
  s.appendChild(svg('rect', { x: 0, y: 58, width: W, height: 34, class: 'lane' }));
  /* a probe's bar reaches to the next probe (at least 3 units) */
  const sorted = pts.slice().sort((a, b) => a.time - b.time || a.seq - b.seq);
  sorted.forEach((p, i) => {
    const xa = x(p.time);
    const xb = i + 1 < sorted.length ? x(sorted[i + 1].time) : xa + 3;
    const a = svg('a', { href: '#/probe/' + p.seq });
    const r = svg('rect', { x: xa, y: 10, width: Math.max(3, xb - xa), height: 30,
      class: 'p-' + verdictClass(str(p.verdict)) });
    title(r, `probe #${p.seq} ${fmtTime(p.time)}: ${str(p.verdict) ?? '?'}`);
    a.appendChild(r);
    s.appendChild(a);
  });
  for (const e of evs) {
    const cls = eventClass(str(e.class));
    const xe = x(e.time);
    s.appendChild(svg('rect', { x: xe - 1, y: 4, width: 2, height: 92, class: 'e-line c-' + cls }));
    const target = isSeq(e.probe_seq) ? e.probe_seq : e.seq;
    const a = svg('a', { href: '#/probe/' + (isSeq(target) ? target : 0) });
    const r = svg('rect', { x: xe - 6, y: 62, width: 12, height: 26, class: 'e-mark c-' + cls });
    const fields = arr(e.changed_fields).filter(f => typeof f === 'string').join(', ');
    title(r, `${str(e.class) ?? '?'} ${fmtTime(e.time)}${fields ? ': ' + fields : ''}`);
    a.appendChild(r);
    s.appendChild(a);
  }
  fig.appendChild(add(el('div', 'plot'),
    add(el('div', 'lanes'), el('span', null, 'verdict'), el('span', null, 'changes')), s));
  fig.appendChild(add(el('div', 'axis'), el('span', null, fmtTime(t0)), el('span', null, fmtTime(t1))));
  return fig;
}
