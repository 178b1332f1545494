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

/** A failed API call: the HTTP status (0 when the server was not reached), the error
 * type the server named (`DerivaMLNotFound`, ...) or one of ours (`NotInstalled`, ...), and
 * its scope: `catalog` when the catalog itself could not be opened. */
export class APIError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly kind: string,
    readonly scope: string | null = null
  ) {
    super(message);
    this.name = 'APIError';
  }
}

/** Whether `error` makes every call fail alike: the catalog cannot be opened, the server
 * extension is not there, or the server cannot be reached. The sidebar says it once, in its
 * header, rather than in each section. */
export function failsEveryCall(error: unknown): boolean {
  return (
    error instanceof APIError &&
    (error.scope === 'catalog' || error.kind === 'NotInstalled' || error.kind === 'NetworkError')
  );
}

/** Query arguments; empty and missing values are left out of the URL. */
export type Query = Record<string, string | number | null | undefined>;

/** The URL of `endpoint` (e.g. `assets/1-ABCD/content`) with `query`; empty and missing
 * values are left out. */
export function apiURL(
  settings: ServerConnection.ISettings,
  endpoint: string,
  query: Query = {}
): string {
  const present = Object.entries(query).filter(
    ([, v]) => v !== null && v !== undefined && v !== ''
  );
  return (
    URLExt.join(settings.baseUrl, 'derivaml', 'api', endpoint) +
    URLExt.objectToQueryString(Object.fromEntries(present.map(([k, v]) => [k, String(v)])))
  );
}

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
  const response = await fetchAPI(settings, endpoint, query, init);
  return parseJSON(await response.text()) as T;
}

/** The body of `endpoint`'s answer as a Blob (a file's bytes). */
export async function requestBlob(
  settings: ServerConnection.ISettings,
  endpoint: string,
  query: Query = {}
): Promise<Blob> {
  return (await fetchAPI(settings, endpoint, query, {})).blob();
}

/** The successful response of `endpoint`; failures thrown as an `APIError`. */
async function fetchAPI(
  settings: ServerConnection.ISettings,
  endpoint: string,
  query: Query,
  init: RequestInit
): Promise<Response> {
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(apiURL(settings, endpoint, query), init, settings);
  } catch (error) {
    throw new APIError(`Cannot reach the Jupyter server: ${error}`, 0, 'NetworkError');
  }
  if (response.ok) {
    return response;
  }
  const data = parseJSON(await response.text());
  if (typeof data?.error === 'string') {
    const scope = typeof data.scope === 'string' ? data.scope : null;
    throw new APIError(String(data.message), response.status, data.error, scope);
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
