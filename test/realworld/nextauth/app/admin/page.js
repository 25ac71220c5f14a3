import { redirect } from "next/navigation";
import { requireUser } from "@/lib/guard";
import { load } from "@/lib/db";

export default async function AdminPage() {
  const user = await requireUser("/admin");
  if (user.role !== "admin") redirect("/dashboard");
  const { users, notes } = load();
  return (
    <>
      <p><a href="/dashboard">← Dashboard</a></p>
      <h1>Members</h1>
      <table>
        <thead><tr><th>Email</th><th>Name</th><th>Role</th><th>Verified</th><th>Notes</th></tr></thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>{u.email}</td><td>{u.name}</td><td>{u.role}</td>
              <td>{u.emailVerified ? "yes" : "no"}</td>
              <td>{notes.filter((n) => n.ownerId === u.id).length}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
