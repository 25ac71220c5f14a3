// Auth.js (NextAuth v4) configuration: the Credentials provider with the
// default JWT session strategy, as https://next-auth.js.org/configuration/providers/credentials shows.
import CredentialsProvider from "next-auth/providers/credentials";
import { getServerSession } from "next-auth";
import { findUserByEmail, findUserById } from "./db";
import { checkPassword } from "./passwords";

export const authOptions = {
  providers: [
    CredentialsProvider({
      name: "email and password",
      credentials: {
        email: { label: "Email", type: "email", placeholder: "you@example.com" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials) {
        const user = findUserByEmail(credentials?.email);
        const ok = await checkPassword(credentials?.password, user?.passwordHash);
        // Unknown email, wrong password and unverified email all answer the
        // same generic "Sign in failed" of the built-in page.
        if (!user || !ok || !user.emailVerified) return null;
        return { id: user.id, email: user.email, name: user.name };
      },
    }),
  ],
  callbacks: {
    // The member's id is token.sub; expose it to server code.
    session({ session, token }) {
      if (session.user) session.user.id = token.sub;
      return session;
    },
  },
  // session: { strategy: "jwt" } is the default with no adapter; maxAge too
  // is left at its default (30 days).
};

// currentUser is the signed-in member as the database knows it now (null
// when signed out, or when the account was deleted since the token was made).
export async function currentUser() {
  const session = await getServerSession(authOptions);
  return session?.user?.id ? findUserById(session.user.id) : null;
}
