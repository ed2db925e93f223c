'use strict';
const { fork } = require('node:child_process');
const path = require('node:path');

/** The load generator child process; `run(job)` resolves with its report. */
class LoadGenerator {
  constructor() {
    this.child = fork(path.join(__dirname, 'loadgen.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.pending = new Map();
    this.nextId = 1;
    this.child.on('message', (message) => {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`load generator: ${message.error}`));
      else waiter.resolve(message.result);
    });
    this.child.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`load generator exited (${code})`));
      this.pending.clear();
    });
  }

  run(job) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, ...job });
    });
  }

  stop() {
    if (this.child.exitCode === null && this.child.connected) this.child.send({ kind: 'exit' });
  }
}

/** Keeps the peak VmRSS (and VmHWM) of every watched process, per phase. */

module.exports = { LoadGenerator };
