import { findUserByEmail } from "@/lib/db";
import { issueToken } from "@/lib/tokens";
import { sendMail, siteUrl } from "@/lib/mail";
import { readBody, seeOther } from "@/lib/http";

const HOUR = 60 * 60 * 1000;

export async function POST(req) {
  const { email } = await readBody(req);
  const user = findUserByEmail(email);
  if (user) {
    const token = issueToken("reset", user.id, HOUR);
    await sendMail({
      to: user.email,
      subject: "Reset your password",
      text: `Someone asked to reset the password of this account. To choose a new one, open:\n\n${siteUrl()}/reset?token=${token}\n\nThe link works once, for one hour. If it was not you, ignore this mail.`,
    });
  }
  return seeOther("/forgot?sent=1");
}
