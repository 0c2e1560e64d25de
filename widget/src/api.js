// The public HTTP API, version 1 (shared/api.md): JSON in and out, no cookies but for posting
// (a moderator signed in to the admin posts as staff).

export class ApiError extends Error {
  constructor(status, error) {
    super(error.message || error.code);
    this.status = status;
    this.error = error;
  }
}

/** Every call names the site (`?site=`), writes too: the server judges CORS by it. */
export function makeApi(base, lang, site) {
  const address = (path, query) => {
    const url = new URL(base + path);
    url.searchParams.set('site', site);
    for (const [name, value] of query || []) if (value != null) url.searchParams.append(name, value);
    return url;
  };

  async function call(method, path, { query, body, token, credentials = 'omit' } = {}) {
    const url = address(path, query);
    const headers = { 'Accept-Language': lang };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials,
      });
    } catch {
      throw new ApiError(0, { code: 'network' });
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data?.error || { code: 'internal_error' });
    return data;
  }

  return {
    /** A page of the thread; `featured` ('only') asks for the editor's picks alone. */
    list: (uri, sort, cursor, featured) =>
      call('GET', '/api/v1/comments', {
        query: [['uri', uri], ['sort', sort], ['cursor', cursor], ['featured', featured]],
      }),
    counts: (uris) => call('GET', '/api/v1/counts', { query: uris.map((u) => ['uri', u]) }),
    /** With the admin's session cookie, if any: a moderator's comment is marked as staff. */
    post: (body) => call('POST', '/api/v1/comments', { body, credentials: 'include' }),
    /** The thread's live events (Server-Sent Events), for thread/live.js; resumed after
     * `last` (the last event id seen) when a closed stream is opened again. */
    events: (uri, last) => address('/api/v1/events', [['uri', uri], ['last_event_id', last || null]]),
    /** `{notify}`: whether the server mails replies, so the form offers to. */
    mail: () => call('GET', '/mail/options').catch(() => ({})),
    /** A proof-of-work challenge for a comment on `uri` (pow.js solves it). */
    challenge: (uri) => call('GET', '/api/v1/challenge', { query: [['uri', uri]] }),
    edit: (id, text, token) => call('PATCH', `/api/v1/comments/${id}`, { body: { text }, token }),
    remove: (id, token) => call('DELETE', `/api/v1/comments/${id}`, { token }),
    vote: (id, value) => call('POST', `/api/v1/comments/${id}/vote`, { body: { value } }),
    /** `report`: `{reason, note}`. */
    report: (id, report) => call('POST', `/api/v1/comments/${id}/report`, { body: report }),
  };
}

/**
 * The text of a failed call: the server's own message, in the reader's language (we send
 * Accept-Language), else the catalogue's `error.<code>` for what the widget finds out itself
 * (`network`), else "Something went wrong on the server." (a proxy's page, not the API's).
 */
export function errorText(i18n, err) {
  const error = err?.error || {};
  return error.message || i18n.t(i18n.has(`error.${error.code}`) ? `error.${error.code}` : 'error.internal_error');
}
