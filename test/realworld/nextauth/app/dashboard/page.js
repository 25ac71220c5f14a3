import { requireUser } from "@/lib/guard";
import { load } from "@/lib/db";

export default async function Dashboard() {
  const user = await requireUser("/dashboard");
  const notes = load().notes.filter((n) => n.ownerId === user.id);
  return (
    <>
      <h1>Welcome, {user.name}</h1>
      <p>Signed in as {user.email}</p>
      <nav>
        <a href="/account">Account</a>
        {user.role === "admin" && <a href="/admin">Admin</a>}
        <a href="/api/auth/signout">Sign out</a>
      </nav>
      <h2>Your notes</h2>
      {notes.length === 0 ? <p>No notes yet.</p> : (
        <ul>
          {notes.map((n) => <li key={n.id}><a href={`/notes/${n.id}`}>{n.title}</a></li>)}
        </ul>
      )}
      <h2>New note</h2>
      <form method="post" action="/api/notes">
        <input name="title" placeholder="Title" />
        <textarea name="body" rows={4} placeholder="Write something" />
        <button type="submit">Save note</button>
      </form>
    </>
  );
}
