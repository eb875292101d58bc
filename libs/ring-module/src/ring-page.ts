import type { InstanceStatus } from '@myelin/ring';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function age(ms: number): string {
  if (ms < 0) return 'in the future';
  if (ms < 1000) return `${ms}ms ago`;
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s}s ago` : `${Math.round(s / 60)}m ago`;
}

/** The ring status page (Cortex's /ring): one row per instance, READONLY and unhealthy marked. */
export function renderRingPage(title: string, rows: InstanceStatus[], now: number, message?: string): string {
  const body = rows
    .map((r) => {
      const classes = [r.state === 'READONLY' ? 'readonly' : '', r.unhealthy ? 'unhealthy' : ''].filter(Boolean).join(' ');
      const forget = r.unhealthy
        ? `<form method="post" action=""><input type="hidden" name="forget" value="${esc(r.id)}"><button type="submit">Forget</button></form>`
        : '';
      return `<tr class="${classes}" data-instance="${esc(r.id)}">
<td>${esc(r.id)}</td><td>${esc(r.zone)}</td><td><span class="state state-${esc(r.state.toLowerCase())}">${esc(r.state)}</span></td>
<td>${esc(r.address)}</td><td>${new Date(r.registeredTimestamp).toISOString()}</td>
<td class="heartbeat">${age(r.heartbeatAgeMs)}${r.unhealthy ? ' (unhealthy)' : ''}</td>
<td>${r.tokens}</td><td>${r.ownershipPercent.toFixed(2)}%</td><td>${forget}</td></tr>`;
    })
    .join('\n');
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; }
tr.readonly { background: #fff4d6; }
tr.unhealthy { background: #fde2e2; }
.state { font-weight: bold; padding: 1px 6px; border-radius: 3px; }
.state-active { color: #176f2c; }
.state-readonly { background: #f0a500; color: #fff; }
.state-leaving, .state-left { color: #a33; }
.message { padding: 6px; background: #eef; }
</style></head>
<body>
<h1>${esc(title)}</h1>
<p>Current time: ${new Date(now).toISOString()}. READONLY instances take no writes but answer reads. Instances with a heartbeat older than the timeout are unhealthy and may be forgotten.</p>
${message ? `<p class="message">${esc(message)}</p>` : ''}
<table>
<thead><tr><th>Instance ID</th><th>Zone</th><th>State</th><th>Address</th><th>Registered</th><th>Last heartbeat</th><th>Tokens</th><th>Ownership</th><th>Actions</th></tr></thead>
<tbody>
${body}
</tbody></table>
<p><a href="?format=json">JSON</a></p>
</body></html>`;
}
