import { currentUser } from "@/lib/auth";
import { publicUser, update } from "@/lib/db";
import { json, readBody, seeOther, wantsJson } from "@/lib/http";

export async function GET() {
  const user = await currentUser();
  if (!user) return json({ error: "Unauthorized" }, 401);
  return json(publicUser(user));
}

// Only the display name can change; role and email are not taken from the
// request.
async function changeName(req) {
  const user = await currentUser();
  if (!user) return json({ error: "Unauthorized" }, 401);
  const body = await readBody(req);
  const name = typeof body.name === "string" ? body.name.trim().slice(0, 80) : "";
  if (!name) return wantsJson(req) ? json({ error: "name is required" }, 400) : seeOther("/account?error=name");
  const saved = update((db) => {
    const u = db.users.find((x) => x.id === user.id);
    u.name = name;
    return u;
  });
  return wantsJson(req) ? json(publicUser(saved)) : seeOther("/account?saved=1");
}

export const PATCH = changeName;
// The account page's plain HTML form posts here.
export const POST = changeName;
