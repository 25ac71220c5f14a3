import { update } from "@/lib/db";
import { hashPassword, passwordProblem } from "@/lib/passwords";
import { consumeToken, peekToken } from "@/lib/tokens";
import { readBody, seeOther } from "@/lib/http";

export async function POST(req) {
  const { token, password } = await readBody(req);
  if (!peekToken("reset", token)) return seeOther("/reset?error=token");
  if (passwordProblem(password)) return seeOther(`/reset?token=${encodeURIComponent(token)}&error=password`);
  const userId = consumeToken("reset", token);
  if (!userId) return seeOther("/reset?error=token");
  const passwordHash = await hashPassword(password);
  update((db) => {
    const u = db.users.find((x) => x.id === userId);
    if (u) {
      u.passwordHash = passwordHash;
      // Following the mailed link proves the address too.
      u.emailVerified ??= new Date().toISOString();
    }
  });
  return seeOther("/reset?done=1");
}
