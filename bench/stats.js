'use strict';

/** Latency summary (ms) of an array of durations in ms. */
function summarize(latencies) {
  if (latencies.length === 0) return { count: 0, p50: null, p99: null, max: null, mean: null };
  const sorted = Float64Array.from(latencies).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  const sum = sorted.reduce((a, b) => a + b, 0);
  return { count: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]), mean: round(sum / sorted.length) };
}

const round = (value, digits = 2) => (value === null || value === undefined || !Number.isFinite(value) ? null : Math.round(value * 10 ** digits) / 10 ** digits);

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

module.exports = { summarize, round, nowMs };
