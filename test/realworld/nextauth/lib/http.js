// Small helpers for route handlers that serve both HTML forms and JSON.

export async function readBody(req) {
  const type = req.headers.get("content-type") || "";
  if (type.includes("application/json")) return (await req.json().catch(() => ({}))) ?? {};
  const form = await req.formData().catch(() => null);
  return form ? Object.fromEntries(form) : {};
}

export const wantsJson = (req) => (req.headers.get("content-type") || "").includes("application/json");

// seeOther answers a form post with a redirect to a local path (relative,
// so it stays on whatever origin the browser used).
export const seeOther = (path) => new Response(null, { status: 303, headers: { Location: path } });

export const json = (body, status = 200) => Response.json(body, { status });
