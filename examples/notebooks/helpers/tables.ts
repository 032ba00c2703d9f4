/** Tables for the notebooks, as HTML for `tslab.display.html`. */

/** Rows of one shape as an HTML table: a column per key of the first row; numbers right-aligned with thousands separators. */
export function htmlTable(rows: Record<string, string | number>[]): string {
  const columns = Object.keys(rows[0] ?? {});
  const cell = (v: string | number | undefined, tag: 'td' | 'th'): string => {
    const numeric = typeof v === 'number';
    const text = numeric ? v.toLocaleString('en-US') : escapeHtml(v ?? '');
    return `<${tag} style="text-align:${numeric ? 'right' : 'left'};padding:2px 10px">${text}</${tag}>`;
  };
  const head = `<tr>${columns.map((c) => cell(c, 'th')).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${columns.map((c) => cell(r[c], 'td')).join('')}</tr>`).join('');
  return `<table style="border-collapse:collapse;font:13px sans-serif">${head}${body}</table>`;
}

/** Text made safe to put between HTML tags. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
