import { notFound } from "next/navigation";
import { requireUser } from "@/lib/guard";
import { load } from "@/lib/db";
import DeleteNoteButton from "./delete-button";

export default async function NotePage({ params }) {
  const { id } = await params;
  const user = await requireUser(`/notes/${id}`);
  const note = load().notes.find((n) => n.id === id && n.ownerId === user.id);
  if (!note) notFound();
  return (
    <>
      <p><a href="/dashboard">← Your notes</a></p>
      <h1>{note.title}</h1>
      <p style={{ whiteSpace: "pre-wrap" }}>{note.body}</p>
      <p><small>Last changed {note.updatedAt}</small></p>
      <DeleteNoteButton id={note.id} />
    </>
  );
}
