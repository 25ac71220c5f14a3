import crypto from "node:crypto";
import { findUserByEmail, update } from "@/lib/db";
import { hashPassword, passwordProblem } from "@/lib/passwords";
import { issueToken } from "@/lib/tokens";
import { sendMail, siteUrl } from "@/lib/mail";
import { readBody, seeOther } from "@/lib/http";

const DAY = 24 * 60 * 60 * 1000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

async function sendVerification(user) {
  const token = issueToken("verify", user.id, DAY);
  await sendMail({
    to: user.email,
    subject: "Confirm your email",
    text: `Welcome! Confirm your email to activate your account:\n\n${siteUrl()}/api/verify?token=${token}\n\nThe link works for 24 hours.`,
  });
}

export async function POST(req) {
  const { email: rawEmail, password, name } = await readBody(req);
  const email = String(rawEmail || "").trim().toLowerCase();
  if (!EMAIL.test(email)) return seeOther("/signup?error=email");
  const problem = passwordProblem(password);
  if (problem) return seeOther("/signup?error=password");

  // Same answer whether or not the address is taken; the owner of a taken
  // address gets a mail instead (no account enumeration).
  const existing = findUserByEmail(email);
  if (existing?.emailVerified) {
    await sendMail({
      to: existing.email,
      subject: "You already have an account",
      text: `Someone (maybe you) tried to sign up with this address. Sign in at ${siteUrl()}/api/auth/signin or reset your password at ${siteUrl()}/forgot.`,
    });
  } else if (existing) {
    await sendVerification(existing);
  } else {
    const now = new Date().toISOString();
    const user = {
      id: crypto.randomUUID(), email, name: String(name || "").trim().slice(0, 80) || email.split("@")[0],
      role: "member", passwordHash: await hashPassword(password), emailVerified: null, createdAt: now,
    };
    update((db) => { db.users.push(user); });
    await sendVerification(user);
  }
  return seeOther("/signup?sent=1");
}
