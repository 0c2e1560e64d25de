// Palabre's embed: <script src=".../widget.js" data-palabre-site="…" async>, a
// <section id="palabre-thread"> for the discussion and <span data-palabre-count="/uri"> counts.
import { makeApi } from './api.js';
import { makeCounts } from './counts.js';
import { makeI18n, pickLanguage } from './i18n.js';
import { makeStore } from './store.js';
import css from './style.css';
import { mountThread } from './thread/index.js';

const script =
  document.currentScript || document.querySelector('script[data-palabre-site],script[src*="widget"]');

/**
 * The widget's CSS as a constructed style sheet, which a page's Content-Security-Policy
 * allows without 'unsafe-inline'; a <style> element (with the script's nonce, if any)
 * where browsers cannot adopt sheets yet.
 */
function addStyles(text, nonce) {
  if (document.adoptedStyleSheets && CSSStyleSheet.prototype.replaceSync) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    return;
  }
  const style = document.createElement('style');
  style.textContent = text;
  if (nonce) style.nonce = nonce;
  document.head.append(style);
}

function start() {
  const options = script?.dataset || {};
  const base = (options.palabreApi || new URL(script?.src || '/', location.href).origin)
    .replace(/\/$/, '');
  const site = options.palabreSite || 'default';
  const i18n = makeI18n(pickLanguage(options.palabreLang));
  const api = makeApi(base, i18n.lang, site);
  const counts = makeCounts(api, i18n);

  addStyles(css, script?.nonce);

  const section = document.getElementById('palabre-thread');
  if (section) {
    if (options.palabreTheme && !section.dataset.palabreTheme) {
      section.dataset.palabreTheme = options.palabreTheme;
    }
    mountThread(section, {
      i18n,
      api,
      site,
      uri: section.dataset.palabreUri || location.pathname,
      title: section.dataset.palabreTitle,
      store: makeStore(base),
      showCount: counts.show,
    });
  }
  counts.load();
  i18n.warm();
}

if (document.readyState === 'loading') addEventListener('DOMContentLoaded', start);
else start();
