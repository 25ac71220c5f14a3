import nodemailer from "nodemailer";

// Plain SMTP to the relay named by SMTP_HOST/SMTP_PORT (no auth), as the
// nodemailer docs show for a local relay.
const transport = nodemailer.createTransport({
  host: process.env.SMTP_HOST || "127.0.0.1",
  port: Number(process.env.SMTP_PORT || 25),
  secure: false,
});

export const siteUrl = () => (process.env.NEXTAUTH_URL || process.env.PUBLIC_URL || "").replace(/\/$/, "");

const from = () => process.env.MAIL_FROM || `Notes portal <no-reply@${new URL(siteUrl()).hostname}>`;

export async function sendMail({ to, subject, text }) {
  try {
    await transport.sendMail({ from: from(), to, subject, text });
  } catch (err) {
    // The visitor sees the same answer either way; the operator sees this.
    console.error("mail to %s failed: %s", to, err.message);
  }
}
