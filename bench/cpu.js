'use strict';
/**
 * CPU time of the bench's processes from /proc (Linux): the API and worker processes by pid, and the
 * whole Postgres server (the postmaster, its live backends, and — through the postmaster's cutime — the
 * backends that already exited). Used to turn rates into per-core costs (docs/SCALING.md).
 */
const fs = require('node:fs');
const path = require('node:path');

const TICKS = 100; // USER_HZ on Linux

/** [utime, stime, cutime, cstime] in ms, or undefined when the process is gone. */
function times(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime is field 14 → index 11.
    return { self: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS, children: ((Number(fields[13]) + Number(fields[14])) * 1000) / TICKS, ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

/** The postmaster's pid of an embedded data directory (first line of postmaster.pid). */
function postmasterPid(dataDir) {
  try {
    return Number(fs.readFileSync(path.join(dataDir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
  } catch {
    return undefined;
  }
}

/** Postgres CPU ms: the postmaster (self + reaped children) and its live children. */
function postgresMs(postmaster) {
  if (!postmaster) return undefined;
  const root = times(postmaster);
  if (!root) return undefined;
  let total = root.self + root.children;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const t = times(Number(entry));
    if (t && t.ppid === postmaster) total += t.self;
  }
  return total;
}

/** A snapshot of CPU ms per role: {api, worker, postgres}. `children` maps role → [Child]. */
function snapshot(children, postmaster) {
  const out = {};
  for (const [role, list] of Object.entries(children)) {
    out[role] = list.reduce((sum, child) => sum + ((times(child.pid) || { self: 0 }).self || 0), 0);
  }
  out.postgres = postgresMs(postmaster);
  return out;
}

/** CPU ms per role spent between two snapshots, and per 1,000 units of work. */
function cost(before, after, units) {
  const result = {};
  for (const role of Object.keys(after)) {
    if (after[role] === undefined || before[role] === undefined) continue;
    const ms = after[role] - before[role];
    result[role] = { cpuMs: Math.round(ms), msPer1000: units > 0 ? Math.round((ms / units) * 1000 * 10) / 10 : null };
  }
  return result;
}

module.exports = { snapshot, cost, postmasterPid };
