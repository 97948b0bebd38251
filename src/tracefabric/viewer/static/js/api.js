// The viewer's JSON API (same origin; the token travels in the cookie set on entry).

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : `HTTP ${status}`);
    this.status = status;
    this.errorType = body && body.error_type;
  }
}

export async function get(path, params) {
  const query = params ? `?${params}` : "";
  const response = await fetch(`/api${path}${query}`, { credentials: "same-origin", headers: { accept: "application/json" } });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

export async function post(path, payload = {}) {
  const response = await fetch(`/api${path}`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(payload),
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}
