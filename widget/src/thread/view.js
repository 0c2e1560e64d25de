// The thread on screen: heading, the thread's message, the form (or the closed notice), the
// editor's picks, sort, list, "Load more", errors and the live region.
// It follows the state (state.js) and tells `on` (the actions) what the reader asked for.
import { errorText } from '../api.js';
import { actions, paint, renderComment } from '../comment.js';
import { h, uid } from '../dom.js';
import { commentForm } from '../form.js';
import { commentControls } from './controls.js';
import { SORTS } from './state.js';

const SETTLE_MS = 1500;

/** `on`: `act(name, id)`, `publish(values, parent)`, `sort(value)`, `loadMore()`. */
export function threadView(root, ctx, state, on) {
  const { i18n, uri } = ctx;
  const { t, tn } = i18n;
  /** Comment id → `{c, el, replies, form, editing}` as comment.js renders it. */
  const nodes = new Map();
  let mail;
  // What comment.js and form.js read (their `view`); comment skeletons are cached per such object.
  const env = {
    i18n,
    store: ctx.store,
    guard: ctx.guard,
    items: nodes,
    closed: state.closed,
    editWindow: state.editWindow,
    staffLabel: () => state.thread?.staff_label,
    /** `/mail/options`, asked once, when a form first needs it. */
    mail: () => (mail ||= ctx.api.mail()),
    /** What the reader typed in this page's author fields (form.js), remembered once posted. */
    typed: {},
  };
  let mounted = false;

  const heading = h('h2', { class: 'palabre-heading', tabindex: '-1' });
  const live = h('p', { class: 'palabre-sr palabre-live', 'aria-live': 'polite' });
  const top = h('div', { class: 'palabre-top' });
  const sorter = h(
    'select',
    { id: uid('sort'), onchange: () => on.sort(sorter.value) },
    ...SORTS.map((sort) => h('option', { value: sort }, t(`thread.sort.${sort}`))),
  );
  const toolbar = h('p', { class: 'palabre-toolbar' },
    h('label', { for: sorter.id }, t('thread.sort')), ' ', sorter);
  const list = h('div', { class: 'palabre-list', onclick: act });
  const empty = h('p', { class: 'palabre-empty' }, t('thread.empty'));
  const more = h('button', { type: 'button', class: 'palabre-more', onclick: () => on.loadMore() },
    t('thread.load_more'));
  const failure = h('p', { class: 'palabre-error', role: 'alert' });
  // "3 new comments", when the live stream (live.js) brought some; a polite live region.
  const fresh = h('button', { type: 'button', class: 'palabre-fresh', hidden: true });
  const picks = h('div');
  // Top-level comments whose layout the browser skips until they scroll near (see settle).
  let lazy = [];
  // A page's comments gather here and join the list a slice at a time (flush).
  const pending = document.createDocumentFragment();

  function mount() {
    mounted = true;
    const { message, closed } = state.thread;
    if (message) {
      // The server's sanitised rendering of the moderators' Markdown, as for comments.
      top.append(h('div', { class: 'palabre-message palabre-body' }));
      top.lastChild.innerHTML = message;
    }
    top.append(
      closed
        ? h('p', { class: 'palabre-closed', role: 'status' }, t('thread.closed'))
        : commentForm(env, {
            label: t('form.label'),
            submit: t('form.submit'),
            author: true,
            send: (values) => on.publish(values, null),
          }),
    );
    root.classList.add('palabre');
    root.lang = i18n.lang;
    root.replaceChildren(heading, top, picks, toolbar,
      h('div', { 'aria-live': 'polite' }, fresh), list, empty, failure, more, live);
  }

  function refresh() {
    const { thread } = state;
    heading.textContent = tn('thread.heading', thread.count, {
      title: ctx.title || thread.title || document.title,
    });
    ctx.showCount(uri, thread.count);
    empty.hidden = state.items.size > 0;
    more.hidden = !state.cursor || list.hasAttribute('aria-busy');
  }

  /** Render `c` into its parent's replies, else into `box`. */
  function place(c, box, fresh) {
    const item = renderComment(c, env);
    nodes.set(c.id, item);
    box = nodes.get(c.parent)?.replies || box;
    if (fresh && box === list && state.sort === 'newest') box.prepend(item.el);
    else box.append(item.el);
  }

  /** Clicks on any comment's buttons, handled once for the whole list. */
  function act(event) {
    const button = event.target.closest('button[data-act]');
    const el = button?.closest('.palabre-comment');
    const item = el && nodes.get(Number(el.id.slice(8)));
    if (!item) return;
    item.el.querySelector(':scope > .palabre-error')?.remove();
    on.act(button.dataset.act, item.c.id);
  }

  // The state's changes (see state.js), as they show.
  const follow = {
    reset() {
      list.replaceChildren();
      nodes.clear();
      lazy = [];
    },
    add: (c) => place(c, pending),
    new(c) {
      place(c, list, true);
      refresh();
    },
    /** A new version of the comment: it is painted again, an open editor goes. */
    change(c) {
      const item = nodes.get(c.id);
      item.c = c;
      item.editing = null;
      paint(item, env);
    },
    vote(c) {
      const item = nodes.get(c.id);
      item.el.querySelector('.palabre-actions').replaceWith(actions(item, env));
    },
    /** Whoever takes it away (the reader, the live stream), the empty notice follows. */
    remove(id) {
      nodes.get(id).el.remove();
      nodes.delete(id);
      refresh();
    },
    thread: refresh,
  };
  state.subscribe((change, c) => follow[change](c));

  if (!root.firstElementChild) root.append(h('p', null, t('thread.loading')));

  return {
    ...commentControls(nodes, env),
    busy() {
      list.setAttribute('aria-busy', 'true');
      more.hidden = true;
    },
    idle: () => list.removeAttribute('aria-busy'),
    /** Append what the last slice placed. */
    flush: () => list.append(pending),
    /** Let the browser skip this comment's layout until it scrolls near (or settle comes). */
    defer(id) {
      const { el } = nodes.get(id);
      el.classList.add('palabre-lazy');
      lazy.push(el);
    },
    /**
     * Once a page is all shown and the reader has had a moment (SETTLE_MS) to start reading,
     * lay out what was skipped, a few threads per idle moment: a full-page capture (archives
     * screenshot whole pages) then shows every comment, not blank boxes.
     */
    settle() {
      const idle = window.requestIdleCallback || setTimeout;
      const step = () => {
        for (const el of lazy.splice(0, 8)) el.classList.remove('palabre-lazy');
        if (lazy.length) idle(step);
      };
      setTimeout(step, SETTLE_MS);
    },
    /** The editor's picks above the discussion, each linking to its place in it. */
    showPicks(comments) {
      const id = uid('picks');
      const own = { ...env }; // its own skeletons: picks have no actions and no replies
      picks.replaceChildren(h('section', { class: 'palabre-picks', 'aria-labelledby': id },
        h('h3', { id }, t('thread.featured')),
        ...comments.map((c) => {
          const { el } = renderComment(c, own);
          el.removeAttribute('id');
          el.querySelector('.palabre-actions').replaceWith(h('a', { class: 'palabre-goto',
            href: `#comment-${c.id}` }, t('thread.featured_link')));
          el.lastChild.remove();
          return el;
        })));
    },
    /** A page's first slice is in: show the thread (the first time, instead of what was there). */
    shown() {
      failure.replaceChildren();
      const first = !mounted;
      if (first) mount();
      refresh();
      if (first) root.dispatchEvent(new CustomEvent('palabre:ready', { bubbles: true }));
    },
    failed(err, retry) {
      failure.replaceChildren(errorText(i18n, err), ' ',
        h('button', { type: 'button', onclick: retry }, t('thread.retry')));
      if (!mounted) root.prepend(failure);
      more.hidden = !state.cursor;
    },
    /** `count` comments wait; `reveal` shows them. */
    unseen(count, reveal) {
      fresh.hidden = !count;
      fresh.textContent = tn('thread.new', count);
      fresh.onclick = reveal;
    },
    /** Highlight a comment the reader had not seen. */
    mark: (id) => nodes.get(id)?.el.classList.add('palabre-unseen'),
    announce(message) {
      live.textContent = message;
    },
    focusHeading: () => heading.focus(),
    /** Scroll to, highlight and focus a comment (a permalink). */
    target(id) {
      const el = nodes.get(id)?.el;
      if (!el) return;
      list.querySelector('.palabre-target')?.classList.remove('palabre-target');
      el.classList.add('palabre-target');
      el.scrollIntoView({ block: 'center' });
      el.focus({ preventScroll: true });
    },
  };
}
