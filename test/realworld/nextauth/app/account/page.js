import { requireUser } from "@/lib/guard";

export default async function AccountPage({ searchParams }) {
  const user = await requireUser("/account");
  const { saved, error } = await searchParams;
  return (
    <>
      <p><a href="/dashboard">← Dashboard</a></p>
      <h1>Your account</h1>
      {saved && <p className="notice">Saved.</p>}
      {error && <p className="error">Enter a display name.</p>}
      <table>
        <tbody>
          <tr><th>Email</th><td>{user.email}</td></tr>
          <tr><th>Role</th><td>{user.role}</td></tr>
          <tr><th>Member since</th><td>{user.createdAt}</td></tr>
        </tbody>
      </table>
      <form method="post" action="/api/me">
        <label>Display name <input name="name" defaultValue={user.name} required /></label>
        <button type="submit">Save</button>
      </form>
      <h2>Delete account</h2>
      <form method="post" action="/api/account/delete">
        <p>This deletes your account and all your notes.</p>
        <button type="submit">Delete my account</button>
      </form>
    </>
  );
}
