"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

export default function DeleteNoteButton({ id }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  async function onClick() {
    if (!confirm("Delete this note?")) return;
    setBusy(true);
    const res = await fetch(`/api/notes/${id}`, { method: "DELETE" });
    if (res.ok) {
      router.push("/dashboard");
      router.refresh();
    } else {
      setBusy(false);
      alert("Could not delete the note.");
    }
  }
  return <button onClick={onClick} disabled={busy}>Delete note</button>;
}
