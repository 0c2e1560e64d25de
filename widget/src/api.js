// The public HTTP API, version 1 (shared/api.md): no cookies, JSON in and out.

export class ApiError extends Error {
  constructor(status, error) {
    super(error.message || error.code);
    this.status = status;
    this.error = error;
  }
}

export function makeApi(base, lang) {
  async function call(method, path, { query, body, token } = {}) {
    const url = new URL(base + path);
    for (const [name, value] of query || []) if (value != null) url.searchParams.append(name, value);
    const headers = { 'Accept-Language': lang };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
      });
    } catch {
      throw new ApiError(0, { code: 'network' });
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      throw new ApiError(response.status, data?.error || { code: fallbackCode(response.status) });
    }
    return data;
  }

  return {
    list: (site, uri, sort, cursor) =>
      call('GET', '/api/v1/comments', {
        query: [['site', site], ['uri', uri], ['sort', sort], ['cursor', cursor]],
      }),
    counts: (site, uris) =>
      call('GET', '/api/v1/counts', { query: [['site', site], ...uris.map((u) => ['uri', u])] }),
    post: (body) => call('POST', '/api/v1/comments', { body }),
    edit: (id, text, token) => call('PATCH', `/api/v1/comments/${id}`, { body: { text }, token }),
    remove: (id, token) => call('DELETE', `/api/v1/comments/${id}`, { token }),
    vote: (id, value) => call('POST', `/api/v1/comments/${id}/vote`, { body: { value } }),
  };
}

const fallbackCode = (status) =>
  ({ 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 413: 'payload_too_large',
     415: 'unsupported_media_type', 422: 'invalid_input', 429: 'rate_limited' })[status] ||
  'internal_error';

/**
 * The localised text of a failed call: `error.<reason>` when the answer names a reason we know,
 * else `error.<code>`. A message with a value only the server knows (`{limit}`) is the
 * server's own, which is translated too (we send Accept-Language).
 */
export function errorText(i18n, err) {
  const error = err instanceof ApiError ? err.error : { code: 'internal_error' };
  for (const key of [error.reason, error.code]) {
    if (!key || !i18n.has(`error.${key}`)) continue;
    const text = i18n.t(`error.${key}`, error);
    return /\{\w+\}/.test(text) ? error.message || text.replace(/ ?\([^)]*\)/, '') : text;
  }
  return error.message || i18n.t('error.internal_error');
}
