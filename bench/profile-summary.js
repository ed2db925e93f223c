'use strict';
/** Summarizes a .cpuprofile (e.g. from BENCH_API_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof-api'): self and inclusive time by function, as % of busy time. Usage: node bench/profile-summary.js FILE [TOP]; FROM=s TO=s limit it to a window (seconds since the profile's start). */
const fs = require('node:fs');
const file = process.argv[2];
const top = Number(process.argv[3] || 30);
const p = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children || []) parent.set(c, n.id);
const selfT = new Map();
const lo = Number(process.env.FROM || 0) * 1e6, hi = Number(process.env.TO || 1e9) * 1e6; let tt = p.startTime;
for (let i = 0; i < p.samples.length; i++) if ((tt += p.timeDeltas[i]) - p.startTime >= lo && tt - p.startTime < hi) selfT.set(p.samples[i], (selfT.get(p.samples[i]) || 0) + (p.timeDeltas[i + 1] || 0));
const name = (n) => { const cf = n.callFrame; const u = cf.url.replace(/.*node_modules\//, 'nm/').replace(/.*\/dist\//, ''); return `${cf.functionName || '(anon)'} ${u}:${cf.lineNumber + 1}`; };
const self = new Map(), incl = new Map();
let total = 0;
for (const [id, t] of selfT) {
  total += t;
  const n = byId.get(id); const k = name(n);
  self.set(k, (self.get(k) || 0) + t);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) { const kk = name(byId.get(cur)); if (!seen.has(kk)) { seen.add(kk); incl.set(kk, (incl.get(kk) || 0) + t); } }
}
const idle = [...self].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, t]) => a + t, 0);
console.log(`total ${(total / 1e3).toFixed(0)} ms, idle ${(idle / 1e3).toFixed(0)} ms, busy ${((total - idle) / 1e3).toFixed(0)} ms`);
const show = (m, title) => { console.log(`-- ${title}`); for (const [k, t] of [...m].filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('(root)')).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * t) / (total - idle)).toFixed(1).padStart(5)}%  ${k}`); };
show(self, 'self (% of busy)');
show(incl, 'inclusive (% of busy)');
