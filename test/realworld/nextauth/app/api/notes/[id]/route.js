import { currentUser } from "@/lib/auth";
import { load, update } from "@/lib/db";
import { json, readBody } from "@/lib/http";

const view = (n) => ({ id: n.id, ownerId: n.ownerId, title: n.title, body: n.body, createdAt: n.createdAt, updatedAt: n.updatedAt });

// Each handler loads the note by its id AND the member's id: another
// member's note is answered exactly like a missing one.
const own = (id, user) => load().notes.find((n) => n.id === id && n.ownerId === user.id) ?? null;

export async function GET(req, { params }) {
  const user = await currentUser();
  if (!user) return json({ error: "Unauthorized" }, 401);
  const note = own((await params).id, user);
  return note ? json(view(note)) : json({ error: "Not found" }, 404);
}

export async function PATCH(req, { params }) {
  const user = await currentUser();
  if (!user) return json({ error: "Unauthorized" }, 401);
  const { id } = await params;
  const body = await readBody(req);
  const note = update((db) => {
    const n = db.notes.find((x) => x.id === id && x.ownerId === user.id);
    if (!n) return null;
    if (typeof body.title === "string") n.title = body.title.slice(0, 200);
    if (typeof body.body === "string") n.body = body.body.slice(0, 10000);
    n.updatedAt = new Date().toISOString();
    return n;
  });
  return note ? json(view(note)) : json({ error: "Not found" }, 404);
}

export async function DELETE(req, { params }) {
  const user = await currentUser();
  if (!user) return json({ error: "Unauthorized" }, 401);
  const { id } = await params;
  const gone = update((db) => {
    const before = db.notes.length;
    db.notes = db.notes.filter((x) => !(x.id === id && x.ownerId === user.id));
    return db.notes.length < before;
  });
  return gone ? new Response(null, { status: 204 }) : json({ error: "Not found" }, 404);
}
