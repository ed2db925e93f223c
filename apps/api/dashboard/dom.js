// Small DOM helpers: every text reaches the page as a text node (resource keys and error messages are data, never HTML).

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

function assign(element, attributes) {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  return element;
}

/** `h('button', {type: 'button', onclick}, 'Pause')` */
export function h(tag, attributes, ...children) {
  return append(assign(document.createElement(tag), attributes), children);
}

export function svg(tag, attributes, ...children) {
  return append(assign(document.createElementNS(SVG_NS, tag), attributes), children);
}

export function clear(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
export const formatCount = (n) => integer.format(n);
export const formatRate = (n) => decimal.format(n);
/** `3 errors`, `1 error` */
export const plural = (n, word) => `${integer.format(n)} ${word}${n === 1 ? '' : 's'}`;

const timeFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'short', timeStyle: 'medium' });
export const formatTime = (iso) => (iso ? timeFormat.format(new Date(iso)) : '');
