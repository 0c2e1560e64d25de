// One comment: its byline, body, notes and action buttons. A comment is a clone of one
// skeleton built with createElement (cloning is several times faster than building each
// element again, which matters for 1,000-comment pages), then filled with textContent.
import { avatar } from './avatar.js';
import { h, isHttp } from './dom.js';

const skeletons = new WeakMap();

function skeleton(view) {
  const { t } = view.i18n;
  const vote = (act, sign) =>
    h('button', { type: 'button', 'data-act': act, 'aria-pressed': 'false' },
      h('span', { 'aria-hidden': 'true' }, sign), h('span', { class: 'palabre-sr' }, t(`comment.${act}`)), '');
  const button = (act) => h('button', { type: 'button', 'data-act': act }, t(`comment.${act}`));
  return h('article', { class: 'palabre-comment', tabindex: '-1' },
    h('div', { class: 'palabre-meta' },
      h('span', { class: 'palabre-author' }),
      h('a', { class: 'palabre-date', title: t('comment.permalink') }, h('time'))),
    h('div', { class: 'palabre-body' }),
    h('div', { class: 'palabre-actions' },
      vote('like', '▲'), vote('dislike', '▼'), button('reply'), button('report')),
    h('div', { class: 'palabre-replies' }));
}

/** A new comment element; `view` is the thread's (see thread/view.js). */
export function renderComment(c, view) {
  const item = { c, el: null, replies: null };
  paint(item, view);
  return item;
}

/** (Re)build everything but the replies and an open reply form, after a change to `item.c`. */
export function paint(item, view) {
  const { c } = item;
  const { t, ago, exact } = view.i18n;
  if (!skeletons.has(view)) skeletons.set(view, skeleton(view));
  const el = skeletons.get(view).cloneNode(true);
  const [meta, body, bar, replies] = el.children;
  const [author, date] = meta.children;
  const deleted = c.status === 'deleted';
  el.id = `comment-${c.id}`;
  date.href = `#comment-${c.id}`;
  date.firstChild.dateTime = c.created;
  const created = new Date(c.created);
  date.firstChild.title = exact(created);
  date.firstChild.textContent = ago(created);
  if (deleted) {
    el.classList.add('palabre-deleted');
    author.textContent = t('comment.deleted');
  } else {
    meta.prepend(avatar(c.avatar));
    author.textContent = nameOf(c, t);
    if (isHttp(c.website)) {
      author.replaceWith(h('a', { class: 'palabre-author', href: c.website, rel: 'nofollow ugc noopener' },
        author.textContent));
    }
    // The server's sanitised rendering is the only HTML the widget ever inserts.
    body.innerHTML = c.html;
    if (c.staff) date.before(badge(view.staffLabel() || t('comment.staff')));
    if (c.featured) date.before(badge(t('comment.featured')));
  }
  if (c.edited) meta.append(h('span', { class: 'palabre-edited', title: exact(new Date(c.edited)) }, t('comment.edited')));
  if (c.reply_to != null && c.reply_to !== c.parent) {
    meta.append(h('a', { class: 'palabre-reply-to', href: `#comment-${c.reply_to}` },
      t('comment.in_reply_to', { name: nameOf(view.items.get(c.reply_to)?.c, t) })));
  }
  if (c.status === 'pending') body.after(h('p', { class: 'palabre-pending' }, t('comment.pending')));
  fillActions(bar, item, view);
  if (item.form) replies.before(item.form);
  if (item.el) {
    item.el.classList.toggle('palabre-deleted', deleted);
    item.el.replaceChildren(...el.childNodes);
    item.el.append(item.replies);
    replies.remove();
  } else {
    item.el = el;
    item.replies = replies;
  }
}

const nameOf = (c, t) => c?.author || t('comment.anonymous');
const badge = (text) => h('span', { class: 'palabre-badge' }, text);

/** A fresh actions bar for `item` (after a vote). */
export function actions(item, view) {
  const bar = skeletons.get(view).children[2].cloneNode(true);
  fillActions(bar, item, view);
  return bar;
}

/**
 * Set the buttons for this comment; clicks are handled once for the whole list (thread/view.js).
 * A closed thread has none but an author's Delete; one's own comments cannot be voted on or
 * reported.
 */
function fillActions(bar, item, view) {
  const { c } = item;
  const { t } = view.i18n;
  const [like, dislike, , report] = bar.children;
  const own = view.store.own(c.id);
  if (c.status !== 'approved' || view.closed()) {
    bar.replaceChildren();
  } else {
    const mine = view.store.vote(c.id);
    like.lastChild.data = ` ${c.likes}`;
    dislike.lastChild.data = ` ${c.dislikes}`;
    if (mine) (mine > 0 ? like : dislike).setAttribute('aria-pressed', 'true');
    if (own) {
      like.disabled = dislike.disabled = true;
      report.remove();
    } else if (view.store.reported(c.id)) {
      report.replaceWith(h('span', { class: 'palabre-reported' }, t('comment.reported')));
    }
  }
  if (c.status === 'deleted') return bar.remove();
  if (own && Date.now() - own.at < view.editWindow()) {
    if (!view.closed()) bar.append(h('button', { type: 'button', 'data-act': 'edit' }, t('comment.edit')));
    bar.append(h('button', { type: 'button', 'data-act': 'delete' }, t('comment.delete')));
  }
}
