/**
 * The one way this extension calls its server: `ServerConnection.makeRequest` (token and
 * XSRF handled by JupyterLab) on `/derivaml/api/<endpoint>`, answers decoded from JSON and
 * failures turned into an `APIError` with a message a user can act on.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** What a 404 from outside the API means: the routes are not there. */
export const NOT_INSTALLED =
  'The derivaml_jupyter server extension is not installed or not enabled: run ' +
  '`jupyter server extension enable derivaml_jupyter`';

/** A failed API call: the HTTP status (0 when the server was not reached) and the error
 * type the server named (`DerivaMLNotFound`, ...) or one of ours (`NotInstalled`, ...). */
export class APIError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly kind: string
  ) {
    super(message);
    this.name = 'APIError';
  }
}

/** Query arguments; empty and missing values are left out of the URL. */
export type Query = Record<string, string | number | null | undefined>;

/**
 * Call `endpoint` (e.g. `datasets/1-ABCD`) with `query` and return its JSON answer.
 *
 * Example: `await requestAPI<IInfo>(settings, 'info', { catalog: 'default' })`.
 */
export async function requestAPI<T>(
  settings: ServerConnection.ISettings,
  endpoint: string,
  query: Query = {},
  init: RequestInit = {}
): Promise<T> {
  const present = Object.entries(query).filter(
    ([, v]) => v !== null && v !== undefined && v !== ''
  );
  const url =
    URLExt.join(settings.baseUrl, 'derivaml', 'api', endpoint) +
    URLExt.objectToQueryString(Object.fromEntries(present.map(([k, v]) => [k, String(v)])));
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new APIError(`Cannot reach the Jupyter server: ${error}`, 0, 'NetworkError');
  }
  const data = parseJSON(await response.text());
  if (response.ok) {
    return data as T;
  }
  if (typeof data?.error === 'string') {
    throw new APIError(String(data.message), response.status, data.error);
  }
  if (response.status === 404) {
    throw new APIError(NOT_INSTALLED, 404, 'NotInstalled');
  }
  const message = typeof data?.message === 'string' ? data.message : response.statusText;
  const text = `${message || 'Request failed'} (HTTP ${response.status})`;
  throw new APIError(text, response.status, 'HTTPError');
}

function parseJSON(text: string): any {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}
