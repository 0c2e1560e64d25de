// What happens on screen around one comment while a reader acts on it: the reply and edit
// forms, the delete confirmation, the report dialog, a note, and where the focus goes. Comments are named
// by id. What may run after an answer of the server (repaint, fail, focus) leaves alone a
// comment no longer on screen (the list was reloaded meanwhile).
import { errorText } from '../api.js';
import { paint } from '../comment.js';
import { h } from '../dom.js';
import { commentForm } from '../form.js';
import { reportDialog } from '../report.js';

/** `nodes`: comment id → rendered item (see view.js); `env`: what comment.js and form.js read. */
export function commentControls(nodes, env) {
  const { i18n } = env;
  const { t } = i18n;

  const focusAct = (item, name) =>
    item?.el.querySelector(`:scope > .palabre-actions [data-act="${name}"]`)?.focus();

  function repaint(id) {
    const item = nodes.get(id);
    if (item) paint(item, env);
  }

  /** The reply form under the comment (the one already open, if any); `send(values)` posts. */
  function openReply(id, send) {
    const item = nodes.get(id);
    if (item.form) return item.form.focusText();
    const close = () => {
      item.form.remove();
      item.form = null;
    };
    item.form = commentForm(env, {
      label: t('form.reply_label', { name: item.c.author || t('comment.anonymous') }),
      submit: t('form.reply'),
      author: true,
      send: async (values) => {
        await send(values);
        close();
      },
      cancel: () => {
        close();
        focusAct(item, 'reply');
      },
    });
    item.replies.before(item.form);
    item.form.focusText();
  }

  /**
   * The edit form in place of the comment's body, holding `own.text` (what this browser sent)
   * or else the body's text; `save(text)` saves and repaints the comment.
   */
  function openEditor(id, own, save) {
    const item = nodes.get(id);
    if (item.editing) return item.editing.focusText();
    const body = item.el.querySelector('.palabre-body');
    item.editing = commentForm(env, {
      label: t('form.edit_label'),
      submit: t('form.save'),
      text: own.text ?? body.textContent,
      send: ({ text }) => save(text),
      cancel: () => {
        item.editing = null;
        paint(item, env);
        focusAct(item, 'edit');
      },
    });
    body.replaceWith(item.editing);
    item.editing.focusText();
  }

  /** "Delete this comment? Delete / Cancel" in place of the actions bar; `yes()` deletes. */
  function confirmDelete(id, yes) {
    const item = nodes.get(id);
    const bar = item.el.querySelector('.palabre-actions');
    const ok = h('button', { type: 'button', onclick: yes }, t('comment.delete'));
    const no = h('button', { type: 'button', onclick: () => {
      paint(item, env);
      focusAct(item, 'delete');
    } }, t('form.cancel'));
    bar.replaceWith(
      h('p', { class: 'palabre-actions' }, t('comment.delete_confirm'), ' ', ok, ' ', no));
    ok.focus();
  }

  let ask; // the report dialog, made when first needed

  /** The report dialog for this comment; `send({reason, note})` reports it. */
  function openReport(id, send) {
    const item = nodes.get(id);
    ask ||= reportDialog(item.el.closest('.palabre'), i18n);
    // Back to the Report button, or to the comment once it says "Reported".
    ask(send, () => (item.el.querySelector(':scope > .palabre-actions [data-act=report]') ||
      item.el).focus());
  }

  /** A note under the comment's actions: a refusal (`err`), or else `text`. */
  function say(id, err, text) {
    const item = nodes.get(id);
    if (!item) return;
    const note = err
      ? h('p', { class: 'palabre-error', role: 'alert' }, errorText(i18n, err))
      : h('p', { class: 'palabre-note' }, text);
    item.el.querySelector(':scope > .palabre-error')?.remove();
    item.el.querySelector(':scope > .palabre-actions').after(note);
  }

  return {
    openReply,
    openEditor,
    confirmDelete,
    openReport,
    repaint,
    fail: say,
    /** A confirmation under the comment's actions (the live region says it too). */
    note: (id, text) => say(id, null, text),
    focus: (id) => nodes.get(id)?.el.focus(),
    focusAct: (id, name) => focusAct(nodes.get(id), name),
    /** The ids of the comments shown inside this one's replies, at any depth. */
    replyIds: (id) =>
      [...nodes.get(id).replies.querySelectorAll('.palabre-comment')]
        .map((el) => Number(el.id.slice(8))),
  };
}
