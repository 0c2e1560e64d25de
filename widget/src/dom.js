// The one way the widget builds DOM: elements, attributes and text nodes, never HTML strings.

/**
 * Create an element. `props` keys: `class`, `text`, `value`/`checked` (set as properties),
 * `on<event>` (listeners); anything else becomes an attribute (`true` gives an empty one,
 * `null`/`false` none). Children are nodes or strings (appended as text).
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const key in props) {
    const value = props[key];
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'value' || key === 'checked') el[key] = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children) if (child != null && child !== false) el.append(child);
  return el;
}

let counter = 0;

/** A page-unique id for labels and descriptions. */
export const uid = (prefix) => `palabre-${prefix}${++counter}`;

/** Only absolute http(s) addresses become links. */
export const isHttp = (url) => /^https?:\/\//i.test(url || '');
