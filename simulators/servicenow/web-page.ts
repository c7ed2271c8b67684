// A read-only overview page: the tables with their row counts and the most recent requests, so a
// person trying demo mode can see what casebridge sent.
import type { LoggedRequest } from './types.js';

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderOverview(url: string, tables: Record<string, number>, recent: LoggedRequest[]): string {
  const tableRows = Object.entries(tables)
    .map(([name, count]) => `<tr><td><code>${esc(name)}</code></td><td>${count}</td></tr>`)
    .join('');
  const requestRows = [...recent]
    .reverse()
    .map((r) => {
      const query = new URLSearchParams(r.query).toString();
      const target = esc(r.path + (query ? `?${query}` : ''));
      return `<tr><td>${esc(r.time)}</td><td>${esc(r.method)}</td><td><code>${target}</code></td><td>${r.status}</td><td>${esc(r.user ?? '')}</td><td>${esc(r.note ?? '')}</td></tr>`;
    })
    .join('');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>ServiceNow simulator</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin-bottom:2rem}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;font-size:.9rem}th{background:#f3f3f3}</style></head>
<body><h1>ServiceNow simulator</h1><p>Instance URL: <code>${esc(url)}</code>. This page is read-only; the
control API lives under <code>/__control</code>.</p>
<h2>Tables</h2><table><tr><th>Table</th><th>Rows</th></tr>${tableRows}</table>
<h2>Recent requests</h2><table><tr><th>Time</th><th>Method</th><th>Path</th><th>Status</th><th>User</th><th>Note</th></tr>${requestRows}</table>
</body></html>`;
}
