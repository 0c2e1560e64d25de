// One comment: its byline, body, notes and action buttons.
import { avatar } from './avatar.js';
import { h, isHttp } from './dom.js';

/** A new comment element; `view` is the thread (see thread.js). */
export function renderComment(c, view) {
  const el = h('article', {
    class: 'palabre-comment',
    id: `comment-${c.id}`,
    tabindex: '-1',
    'aria-labelledby': `palabre-by-${c.id}`,
  });
  const item = { c, el, replies: h('div', { class: 'palabre-replies' }) };
  paint(item, view);
  return item;
}

/** (Re)build everything but the replies, after a change to `item.c`. */
export function paint(item, view) {
  const { c, el } = item;
  const { t, ago, exact } = view.i18n;
  const deleted = c.status === 'deleted';
  const created = new Date(c.created);
  const by = { id: `palabre-by-${c.id}`, class: 'palabre-author' };
  const meta = h(
    'div',
    { class: 'palabre-meta' },
    !deleted && avatar(c.avatar),
    deleted
      ? h('span', by, t('comment.deleted'))
      : isHttp(c.website)
        ? h('a', { ...by, href: c.website, rel: 'nofollow ugc noopener' }, nameOf(c, t))
        : h('span', by, nameOf(c, t)),
    h(
      'a',
      { class: 'palabre-date', href: `#comment-${c.id}`, title: t('comment.permalink') },
      h('time', { datetime: c.created, title: exact(created) }, ago(created)),
    ),
    c.edited &&
      h('span', { class: 'palabre-edited', title: exact(new Date(c.edited)) }, t('comment.edited')),
    c.reply_to != null &&
      c.reply_to !== c.parent &&
      h(
        'a',
        { class: 'palabre-reply-to', href: `#comment-${c.reply_to}` },
        t('comment.in_reply_to', { name: nameOf(view.items.get(c.reply_to)?.c, t) }),
      ),
  );
  const body = h('div', { class: 'palabre-body' });
  // The server's sanitised rendering is the only HTML the widget ever inserts.
  if (!deleted) body.innerHTML = c.html;
  el.classList.toggle('palabre-deleted', deleted);
  el.replaceChildren(
    meta,
    body,
    c.status === 'pending' && h('p', { class: 'palabre-pending' }, t('comment.pending')),
    actions(item, view),
    item.form,
    item.replies,
  );
}

const nameOf = (c, t) => c?.author || t('comment.anonymous');

/** The buttons; clicks are handled once for the whole list (thread.js, `act`). */
export function actions(item, view) {
  const { c } = item;
  const { t } = view.i18n;
  if (c.status === 'deleted') return null;
  const own = view.store.own(c.id);
  const open = !view.closed();
  const bar = h('div', { class: 'palabre-actions' });
  if (c.status === 'approved') {
    const mine = view.store.vote(c.id);
    for (const [act, value, sign, count] of [
      ['like', 1, '▲', c.likes],
      ['dislike', -1, '▼', c.dislikes],
    ]) {
      bar.append(
        h(
          'button',
          { type: 'button', 'data-act': act, 'aria-pressed': String(mine === value), disabled: !!own },
          h('span', { 'aria-hidden': 'true' }, sign),
          h('span', { class: 'palabre-sr' }, t(`comment.${act}`)),
          ` ${count}`,
        ),
      );
    }
    if (open) bar.append(button('reply', t('comment.reply')));
  }
  if (own && Date.now() - own.at < view.editWindow()) {
    if (open) bar.append(button('edit', t('comment.edit')));
    bar.append(button('delete', t('comment.delete')));
  }
  return bar;
}

const button = (act, label) => h('button', { type: 'button', 'data-act': act }, label);
