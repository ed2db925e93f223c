// Hand-drawn SVG charts: the throughput sparkline, the summary donut and the per-container progress bar.
import { h, svg, formatCount, plural } from './dom.js';

/** Operations-per-second sparkline of the throughput buckets (imported), with the current rate as text. */
export function sparkline(throughput, { width = 240, height = 40 } = {}) {
  const rates = throughput.buckets.map((bucket) => bucket.imported / throughput.bucketSeconds);
  const max = Math.max(1, ...rates);
  const step = rates.length > 1 ? width / (rates.length - 1) : width;
  const points = rates.map((rate, i) => `${(i * step).toFixed(1)},${(height - 2 - (rate / max) * (height - 4)).toFixed(1)}`).join(' ');
  const area = `0,${height} ${points} ${width},${height}`;
  const label = `Operations imported per second over the last ${Math.round(throughput.windowSeconds / 60)} minutes; peak ${max.toFixed(1)} per second`;
  return svg(
    'svg',
    { class: 'sparkline', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label, preserveAspectRatio: 'none' },
    svg('title', {}, label),
    svg('polygon', { points: area, class: 'sparkline-area' }),
    svg('polyline', { points, class: 'sparkline-line', fill: 'none' }),
  );
}

/** The eight ProcessingStates in the order the donut and its legend show them, with their colour class. */
export const STATE_SEGMENTS = [
  ['imported', 'seg-imported'],
  ['processing', 'seg-processing'],
  ['unresolved', 'seg-waiting'],
  ['waitForMasterVariant', 'seg-waiting-2'],
  ['validationFailed', 'seg-error'],
  ['rejected', 'seg-error-2'],
  ['partiallyImported', 'seg-partial'],
  ['canceled', 'seg-canceled'],
];

/** Donut of an ImportSummary (states → counts), with a legend listing every state. */
export function summaryDonut(summary, { size = 160, thickness = 28 } = {}) {
  const radius = (size - thickness) / 2;
  const circumference = 2 * Math.PI * radius;
  const total = summary.total;
  const chart = svg('svg', { class: 'donut', viewBox: `0 0 ${size} ${size}`, width: size, height: size, role: 'img', 'aria-label': `${formatCount(total)} operations by state` });
  chart.append(svg('circle', { cx: size / 2, cy: size / 2, r: radius, class: 'donut-track', 'stroke-width': thickness, fill: 'none' }));
  let offset = 0;
  for (const [state, css] of STATE_SEGMENTS) {
    const count = summary.states[state] ?? 0;
    if (count === 0 || total === 0) continue;
    const length = (count / total) * circumference;
    chart.append(
      svg(
        'circle',
        {
          cx: size / 2,
          cy: size / 2,
          r: radius,
          class: `donut-segment ${css}`,
          'stroke-width': thickness,
          fill: 'none',
          'stroke-dasharray': `${length} ${circumference - length}`,
          'stroke-dashoffset': -offset,
          transform: `rotate(-90 ${size / 2} ${size / 2})`,
        },
        svg('title', {}, `${state}: ${formatCount(count)}`),
      ),
    );
    offset += length;
  }
  chart.append(svg('text', { x: size / 2, y: size / 2, class: 'donut-total', 'text-anchor': 'middle', 'dominant-baseline': 'central' }, formatCount(total)));
  const legend = h(
    'ul',
    { class: 'legend' },
    STATE_SEGMENTS.map(([state, css]) => h('li', {}, h('span', { class: `swatch ${css}`, 'aria-hidden': 'true' }), h('span', { class: 'legend-name' }, state), ' ', h('strong', {}, formatCount(summary.states[state] ?? 0)))),
  );
  return h('div', { class: 'summary-chart' }, chart, legend);
}

/**
 * A container's progress from its status counts: imported, errors, canceled and pending (processing + waiting)
 * segments; `role=progressbar` with the final share as its value.
 */
export function progressBar(status) {
  const { total, imported, errors, canceled, processing, waiting } = status.counts;
  const percent = Math.round((status.progress ?? 0) * 100);
  const pending = processing + waiting;
  const text = `${formatCount(imported)} imported, ${plural(errors, 'error')}, ${formatCount(pending)} pending, ${formatCount(canceled)} canceled of ${formatCount(total)}`;
  const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': percent, 'aria-valuetext': `${percent}% final: ${text}`, title: text });
  for (const [count, css] of [
    [imported, 'seg-imported'],
    [errors, 'seg-error'],
    [canceled, 'seg-canceled'],
    [pending, 'seg-pending'],
  ]) {
    if (total === 0 || count === 0) continue;
    const segment = h('span', { class: `progress-segment ${css}` });
    segment.style.width = `${(count / total) * 100}%`;
    bar.append(segment);
  }
  return h('div', { class: 'progress-cell' }, bar, h('span', { class: 'progress-text' }, `${percent}% · ${text}`));
}

const BADGES = { ready: 'badge-neutral', running: 'badge-running', waiting: 'badge-waiting', paused: 'badge-paused', canceled: 'badge-canceled', finished: 'badge-ok', finishedWithErrors: 'badge-error' };

export function stateBadge(state) {
  return h('span', { class: `badge ${BADGES[state] ?? 'badge-neutral'}` }, state);
}
