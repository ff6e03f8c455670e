'use strict';
// CPU time, which a shared machine disturbs far less than wall-clock time: the benchmark's sections
// report Homa's CPU per delivery beside the deliveries per second.
const { readFileSync } = require('node:fs');

/** CPU milliseconds (user + system, every thread) a process has used so far. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime, fields 14 and 15 of proc(5), in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Runs `burst` (which answers how many deliveries it made) and the CPU µs per delivery it cost `pid`. */
async function cpuPerDelivery(pid, burst) {
  const before = cpuMs(pid);
  const { rate, deliveries } = await burst();
  return { rate, cpuUs: ((cpuMs(pid) - before) * 1000) / deliveries };
}

module.exports = { cpuMs, cpuPerDelivery };
