import crypto from "node:crypto";
import { currentUser } from "@/lib/auth";
import { load, update } from "@/lib/db";
import { json, readBody, seeOther, wantsJson } from "@/lib/http";

const view = (n) => ({ id: n.id, ownerId: n.ownerId, title: n.title, body: n.body, createdAt: n.createdAt, updatedAt: n.updatedAt });

// GET /api/notes: the signed-in member's notes.
export async function GET() {
  const user = await currentUser();
  if (!user) return json({ error: "Unauthorized" }, 401);
  const notes = load().notes;
  return json(notes.map(view));
}

// POST /api/notes: a new note owned by the signed-in member (JSON or a form).
export async function POST(req) {
  const user = await currentUser();
  if (!user) return json({ error: "Unauthorized" }, 401);
  const body = await readBody(req);
  const text = String(body.body ?? "").slice(0, 10000);
  const title = String(body.title ?? "").trim().slice(0, 200) || text.slice(0, 40) || "Untitled";
  const now = new Date().toISOString();
  const note = { id: crypto.randomUUID(), ownerId: user.id, title, body: text, createdAt: now, updatedAt: now };
  update((db) => { db.notes.push(note); });
  return wantsJson(req) ? json(view(note), 201) : seeOther(`/notes/${note.id}`);
}
