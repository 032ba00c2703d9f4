/** Small DOM helpers of the page: no framework, elements built from data. */

/** An element with a class and children (strings become text). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string | null,
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className != null) element.className = className;
  element.append(...children);
  return element;
}

/** The element with this id (throws if the page lacks it). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element == null) throw new Error(`the page has no element #${id}`);
  return element as T;
}

/** A captioned picture: a title above the canvas, lines of figures below. */
export function figure(title: string, canvas: HTMLCanvasElement, ...lines: string[]): HTMLElement {
  return el('figure', 'card', el('figcaption', 'title', title), canvas, ...lines.map((l) => el('div', 'line', l)));
}

/** A table from a header and rows of cells. */
export function table(header: string[], rows: (string | number)[][]): HTMLTableElement {
  return el(
    'table',
    null,
    el('thead', null, el('tr', null, ...header.map((h) => el('th', null, h)))),
    el('tbody', null, ...rows.map((r) => el('tr', null, ...r.map((c) => el('td', null, String(c)))))),
  );
}

/** Appends a line to the page's progress log (and the console, for drivers). */
export function log(line: string): void {
  const element = document.getElementById('log');
  if (element != null) element.textContent += `${line}\n`;
  console.log(line);
}

/** Sets the page's state for drivers (`document.body.dataset.status`) and shows it. */
export function setStatus(status: string): void {
  document.body.dataset.status = status;
  const element = document.getElementById('status');
  if (element != null) {
    element.textContent = status;
    element.className = status.startsWith('error') ? 'error' : status;
  }
}

/** `1234.5` → `'1,234 ms'`; short times keep a decimal. */
export function ms(value: number): string {
  return value >= 100 ? `${Math.round(value).toLocaleString('en')} ms` : `${value.toFixed(1)} ms`;
}

/** Yields to the browser so the page repaints between long steps (a timer, not a frame: hidden tabs get none). */
export function yieldToPage(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
