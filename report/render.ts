/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, no network assets) so it can be
 * mailed or opened from a file share. Every figure carries its exact value in a `data-value`
 * attribute beside the formatted text, which is what the browser test compares with proportions.json.
 */
import type { Counts } from '../activities/proportions';
import type { DayCounts, Frequent, ReportData } from './aggregates';
import { html, trusted, type Html } from './html';

const STYLE = `
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --bar: #2f80ed; --bar2: #f2994a; --bg: #f7f9fb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 14px 0 6px; }
.sub { color: var(--muted); margin: 0 0 16px; word-break: break-all; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.card dt { color: var(--muted); font-size: 12px; }
.card dd { margin: 2px 0 0; font-size: 22px; font-weight: 600; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 20px; }
@media (max-width: 900px) { .grid2 { grid-template-columns: 1fr; } }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef2f7; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.tree { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
.none { color: var(--muted); font-style: italic; }
svg { background: #fff; border: 1px solid var(--line); border-radius: 6px; max-width: 100%; height: auto; }
svg text { font: 12px system-ui, sans-serif; fill: var(--ink); }
.legend span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; }
`;

const integer = (n: number) => n.toLocaleString('en-US');
const percent = (x: number) => `${(x * 100).toFixed(2)} %`;

/** One figure: formatted text, exact value for machines. */
function figure(metric: string, value: number, text: string): Html {
  return html`<span data-metric="${metric}" data-value="${String(value)}">${text}</span>`;
}

function cards(overall: Counts): Html {
  const card = (title: string, body: Html) =>
    html`<div class="card">
      <dt>${title}</dt>
      <dd>${body}</dd>
    </div>`;
  return html`<dl class="cards" id="overall">
    ${card('agent share (ratio)', figure('ratio', overall.ratio, percent(overall.ratio)))}
    ${card('distinct share', figure('distinct_share', overall.distinct_share, percent(overall.distinct_share)))}
    ${card('non-dud processes', figure('num_total', overall.num_total, integer(overall.num_total)))}
    ${card('labelled (distinct)', figure('distinct_labelled', overall.distinct_labelled, integer(overall.distinct_labelled)))}
    ${Object.entries(overall.labels).map(([label, n]) => card(`label ${label}`, figure(`labels.${label}`, n, integer(n))))}
  </dl>`;
}

interface Bar {
  name: string;
  share: number;
  note: string;
}

/** Horizontal bars of a share (0..1), one row per item. */
function barChart(title: string, bars: Bar[]): Html {
  if (bars.length === 0) return html`<p class="none">no data</p>`;
  const width = 560;
  const labelWidth = 170;
  const barArea = width - labelWidth - 150;
  const rowHeight = 24;
  const height = bars.length * rowHeight + 12;
  const max = Math.max(...bars.map((b) => b.share), 0.0001);
  const rows = bars.map((bar, i) => {
    const y = 6 + i * rowHeight;
    const w = Math.max(1, (bar.share / max) * barArea);
    const name = bar.name.length > 24 ? `${bar.name.slice(0, 23)}…` : bar.name;
    return html`<g
      ><title>${bar.name}: ${percent(bar.share)} (${bar.note})</title>
      <text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${name}</text>
      <rect x="${labelWidth}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowHeight - 7}" rx="2" fill="#2f80ed"></rect>
      <text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 16}">${percent(bar.share)} · ${bar.note}</text></g
    >`;
  });
  return html`<svg role="img" aria-label="${title}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${rows}</svg>`;
}

/** Columns per day: all non-dud processes started that day, and the labelled ones in front. */
function dayChart(days: DayCounts[] | null): Html {
  if (days === null) return html`<p class="none">the data has no process_started dates</p>`;
  const width = 1100;
  const height = 220;
  const left = 60;
  const bottom = 40;
  const plotHeight = height - bottom - 14;
  const step = (width - left - 10) / days.length;
  const barWidth = Math.max(1, Math.min(40, step * 0.8));
  const max = Math.max(...days.map((d) => d.total), 1);
  const y = (n: number) => 14 + plotHeight - (n / max) * plotHeight;
  const labelEvery = Math.ceil(days.length / 12);
  const columns = days.map((d, i) => {
    const x = left + i * step + (step - barWidth) / 2;
    return html`<g data-day="${d.day}" data-total="${String(d.total)}" data-labelled="${String(d.labelled)}">
      <title>${d.day}: ${integer(d.labelled)} of ${integer(d.total)} labelled (${percent(d.total === 0 ? 0 : d.labelled / d.total)})</title>
      <rect
        x="${x.toFixed(1)}"
        y="${y(d.total).toFixed(1)}"
        width="${barWidth.toFixed(1)}"
        height="${(14 + plotHeight - y(d.total)).toFixed(1)}"
        fill="#c9d6e8"
      ></rect>
      <rect
        x="${x.toFixed(1)}"
        y="${y(d.labelled).toFixed(1)}"
        width="${barWidth.toFixed(1)}"
        height="${(14 + plotHeight - y(d.labelled)).toFixed(1)}"
        fill="#f2994a"
      ></rect>
      ${i % labelEvery === 0 ? html`<text x="${(x + barWidth / 2).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${d.day.slice(5)}</text>` : ''}
    </g>`;
  });
  return html`<p class="legend">
      <span style="background:#c9d6e8"></span>non-dud processes started that day<span style="background:#f2994a"></span>labelled as agent
    </p>
    <svg role="img" aria-label="processes per day" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
      <line x1="${left}" y1="${14 + plotHeight}" x2="${width - 10}" y2="${14 + plotHeight}" stroke="#9aa5b1"></line>
      <text x="${left - 6}" y="${y(max) + 4}" text-anchor="end">${integer(max)}</text>
      <text x="${left - 6}" y="${14 + plotHeight}" text-anchor="end">0</text>
      ${columns}
    </svg>`;
}

function frequentTable(id: string, heading: string, rows: Frequent[], tree: boolean): Html {
  if (rows.length === 0) return html`<p class="none" id="${id}">none</p>`;
  return html`<table id="${id}">
    <thead>
      <tr>
        <th>${heading}</th>
        <th class="num">processes</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) =>
          html`<tr>
            <td class="${tree ? 'tree' : ''}">${r.value === null ? html`<span class="none">(none)</span>` : r.value}</td>
            <td class="num">${integer(r.n)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function hostTable(data: ReportData): Html {
  const labels = Object.keys(data.overall.labels);
  return html`<table id="per-host">
    <thead>
      <tr>
        <th>host</th>
        <th class="num">non-dud</th>
        ${labels.map((l) => html`<th class="num">${l}</th>`)}
        <th class="num">labelled</th>
        <th class="num">ratio</th>
        <th class="num">distinct share</th>
      </tr>
    </thead>
    <tbody>
      ${data.hosts.map(
        (h) =>
          html`<tr data-host="${h.hostname}">
            <td>${h.hostname}</td>
            <td class="num">${figure('num_total', h.num_total, integer(h.num_total))}</td>
            ${labels.map((l) => html`<td class="num">${figure(`labels.${l}`, h.labels[l] ?? 0, integer(h.labels[l] ?? 0))}</td>`)}
            <td class="num">${figure('distinct_labelled', h.distinct_labelled, integer(h.distinct_labelled))}</td>
            <td class="num">${figure('ratio', h.ratio, percent(h.ratio))}</td>
            <td class="num">${figure('distinct_share', h.distinct_share, percent(h.distinct_share))}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function qualityTable(quality: ReportData['quality']): Html {
  const entries = Object.entries(quality);
  if (entries.length === 0) return html`<p class="none">no data-quality counts were recorded for this folder</p>`;
  return html`<table id="quality">
    <tbody>
      ${entries.map(
        ([key, value]) =>
          html`<tr>
            <td>${key.replaceAll('_', ' ')}</td>
            <td class="num" data-fact="${key}" data-value="${String(value)}">${typeof value === 'number' ? integer(value) : value}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function renderReport(data: ReportData): string {
  const { overall } = data;
  const labelBars: Bar[] = Object.entries(overall.labels).map(([label, n]) => ({
    name: label,
    share: overall.num_total === 0 ? 0 : n / overall.num_total,
    note: `${integer(n)} of ${integer(overall.num_total)}`,
  }));
  const hostBars: Bar[] = data.hosts.map((h) => ({
    name: h.hostname,
    share: h.distinct_share,
    note: `${integer(h.distinct_labelled)} of ${integer(h.num_total)}`,
  }));
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>wintap-noise report · ${data.dataset}</title>
        <style>
          ${trusted(STYLE)}
        </style>
      </head>
      <body>
        <main>
          <h1>Platform noise in ${data.dataset}</h1>
          <p class="sub">${data.outDir} · generated ${data.generatedAt}</p>
          ${cards(overall)}
          <div class="grid2">
            <section>
              <h2>Share per label</h2>
              ${barChart('share of non-dud processes per label', labelBars)}
            </section>
            <section>
              <h2>Agent share per host (distinct)</h2>
              ${barChart('distinct agent share per host', hostBars)}
            </section>
          </div>
          <section>
            <h2>Per host</h2>
            ${hostTable(data)}
          </section>
          <section>
            <h2>Over time (day of process_started)</h2>
            ${dayChart(data.days)}
          </section>
          <section>
            <h2>Most frequent agent process trees</h2>
            ${Object.entries(data.topPtrees).map(
              ([label, rows]) =>
                html`<h3>${label}</h3>
                  ${frequentTable(`ptrees-${label}`, 'ptree', rows, true)}`,
            )}
          </section>
          <div class="grid2">
            <section>
              <h2>Most frequent names before denoising</h2>
              ${frequentTable('names-before', 'process name', data.topNames.before, false)}
            </section>
            <section>
              <h2>Most frequent names after denoising</h2>
              ${frequentTable('names-after', 'process name', data.topNames.after, false)}
            </section>
          </div>
          <section>
            <h2>Data quality</h2>
            ${qualityTable(data.quality)}
          </section>
        </main>
      </body>
    </html> `;
  return page.value;
}
