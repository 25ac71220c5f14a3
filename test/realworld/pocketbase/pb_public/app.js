// Shared helpers for the portal's pages: plain fetch against PocketBase's
// Web API. The auth state is kept the way the PocketBase JS SDK's default
// LocalAuthStore keeps it: {token, record} under "pocketbase_auth".
const AUTH_KEY = "pocketbase_auth";

function authState() {
  try { return JSON.parse(localStorage.getItem(AUTH_KEY)) || {}; } catch (_) { return {}; }
}

function saveAuth(token, record) {
  localStorage.setItem(AUTH_KEY, JSON.stringify({ token, record }));
}

function logout() {
  // PocketBase has no logout endpoint: the token is simply forgotten.
  localStorage.removeItem(AUTH_KEY);
  location.href = "/login.html";
}

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  const { token } = authState();
  if (token) headers["Authorization"] = token;
  const res = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error((data && data.message) || res.statusText);
  return data;
}

function requireLogin() {
  const { token, record } = authState();
  if (!token) { location.href = "/login.html"; throw new Error("not logged in"); }
  return record;
}

function el(tag, text) {
  const e = document.createElement(tag);
  e.textContent = text;
  return e;
}

function show(id, msg) { document.getElementById(id).textContent = msg; }
