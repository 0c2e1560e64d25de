// Messages from the shared catalogues (palabre/locales/*.json), plurals and dates through Intl.
import en from '../../palabre/locales/en.json';
import fr from '../../palabre/locales/fr.json';

const catalogues = { en, fr };

/** The first supported language among the embed's attribute, <html lang> and the browser's. */
export function pickLanguage(explicit) {
  const wanted = [explicit, document.documentElement.lang, ...(navigator.languages || [])];
  for (const tag of wanted) {
    const base = String(tag || '').toLowerCase().split('-')[0];
    if (catalogues[base]) return base;
  }
  return 'en';
}

const UNITS = [
  ['year', 31536000],
  ['month', 2592000],
  ['week', 604800],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];

export function makeI18n(lang) {
  const messages = catalogues[lang];
  // Intl objects take tens of milliseconds to create: made once, when first needed (`warm`
  // makes them while the first request is on the network).
  let intl;
  const warm = () =>
    (intl ||= {
      plurals: new Intl.PluralRules(lang),
      numbers: new Intl.NumberFormat(lang),
      relative: new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }),
      exact: new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'short' }),
    });

  const has = (key) => key in messages;
  const t = (key, params = {}) =>
    (messages[key] ?? en[key] ?? key).replace(/\{(\w+)\}/g, (all, name) =>
      name in params ? String(params[name]) : all,
    );
  /** A plural message: `key.one`, `key.other`… chosen by Intl.PluralRules. */
  const tn = (key, count, params) => {
    const form = `${key}.${warm().plurals.select(count)}`;
    return t(has(form) ? form : `${key}.other`, { ...params, count: intl.numbers.format(count) });
  };
  /** "3 hours ago" / "il y a 3 heures"; times in the future (clock skew) read as now. */
  const ago = (date) => {
    const seconds = Math.min(0, (date - Date.now()) / 1000);
    const { relative } = warm();
    for (const [unit, size] of UNITS) {
      if (-seconds >= size) return relative.format(Math.trunc(seconds / size), unit);
    }
    return relative.format(0, 'second');
  };
  return { lang, has, t, tn, ago, warm, exact: (date) => warm().exact.format(date) };
}
