// A preview of the Markdown the server will render, built as DOM nodes from text only.
// It covers what the server allows (paragraphs, emphasis, links, code, quotes, lists);
// the published comment always shows the server's own sanitised rendering.
import { h } from './dom.js';

const INLINE =
  /`([^`]+)`|\*\*(.+?)\*\*|__(.+?)__|\*(.+?)\*|(?<!\w)_(.+?)_(?!\w)|\[([^\]]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<]*[^\s<.,;:!?)'"])/;
const SAFE_URL = /^(https?:|mailto:)/i;
const LIST_ITEM = /^ {0,3}([-*+]|\d{1,9}[.)]) +(.*)$/;
const BREAKS = /^ {0,3}([-*+] |\d{1,9}[.)] |```|>)/;

function inline(parent, text) {
  for (let m = INLINE.exec(text); m; m = INLINE.exec(text)) {
    parent.append(text.slice(0, m.index));
    if (m[1]) parent.append(h('code', null, m[1]));
    else if (m[2] || m[3]) inline(parent.appendChild(h('strong')), m[2] || m[3]);
    else if (m[4] || m[5]) inline(parent.appendChild(h('em')), m[4] || m[5]);
    else if (m[6] && SAFE_URL.test(m[7])) inline(parent.appendChild(link(m[7])), m[6]);
    else if (m[8]) parent.append(link(m[8], m[8]));
    else parent.append(m[0]);
    text = text.slice(m.index + m[0].length);
  }
  parent.append(text);
  return parent;
}

const link = (href, text) => h('a', { href, rel: 'nofollow ugc noopener' }, text);

/** Render `source` into `parent` (a fresh container) and return it. */
export function preview(parent, source) {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; ) {
    const line = lines[i];
    if (/^\s*$/.test(line)) {
      i++;
    } else if (/^ {0,3}```/.test(line)) {
      const body = [];
      for (i++; i < lines.length && !/^ {0,3}```/.test(lines[i]); i++) body.push(lines[i]);
      i++;
      parent.append(h('pre', null, h('code', null, body.join('\n'))));
    } else if (/^ {0,3}>/.test(line)) {
      const body = [];
      for (; i < lines.length && /^ {0,3}>/.test(lines[i]); i++) {
        body.push(lines[i].replace(/^ {0,3}> ?/, ''));
      }
      parent.append(preview(h('blockquote'), body.join('\n')));
    } else if (LIST_ITEM.test(line)) {
      const list = h(/\d/.test(LIST_ITEM.exec(line)[1]) ? 'ol' : 'ul');
      for (let m; i < lines.length && (m = LIST_ITEM.exec(lines[i])); i++) {
        list.append(inline(h('li'), m[2]));
      }
      parent.append(list);
    } else {
      const body = [];
      do body.push(lines[i++].trim());
      while (i < lines.length && /\S/.test(lines[i]) && !BREAKS.test(lines[i]));
      parent.append(inline(h('p'), body.join('\n')));
    }
  }
  return parent;
}
