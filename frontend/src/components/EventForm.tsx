import { useQueryClient } from "@tanstack/react-query";
import { useState, type ClipboardEvent, type DragEvent, type FormEvent } from "react";
import { fetchClient, postForm } from "../api/client";
import { forBeamtime } from "../api/keys";
import type { EventEntry, UploadedFile } from "../api/types";
import { Markdown } from "./Markdown";
import { ProblemView } from "./ProblemView";

const AUTHOR_KEY = "amarcord:author";
type Level = EventEntry["level"];

function rememberedAuthor(): string {
  try {
    return localStorage.getItem(AUTHOR_KEY) ?? "";
  } catch {
    return "";
  }
}

interface Props {
  bt: number;
  /** The run an entry can be linked to (the latest one on the overview). */
  runNumber?: number | null;
  hasLiveImage?: boolean;
}

/**
 * A logbook entry: Markdown text, files picked, dropped or pasted (screenshots), optionally a
 * copy of the current live-stream image. Files are uploaded as soon as they are added, so
 * posting the entry only links them.
 */
export function EventForm({ bt, runNumber = null, hasLiveImage = false }: Props) {
  const client = useQueryClient();
  const [text, setText] = useState("");
  const [author, setAuthor] = useState(rememberedAuthor);
  const [level, setLevel] = useState<Level>("user");
  const [files, setFiles] = useState<UploadedFile[]>([]);
  const [uploading, setUploading] = useState(0);
  const [attachLive, setAttachLive] = useState(false);
  const [linkRun, setLinkRun] = useState(false);
  const [preview, setPreview] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);

  const upload = async (picked: readonly File[]) => {
    setUploading((count) => count + picked.length);
    for (const file of picked) {
      try {
        const form = new FormData();
        form.append("file", file, file.name || "pasted-image.png");
        const uploaded = await postForm<UploadedFile>(`/api/beamtimes/${bt}/files`, form);
        setFiles((previous) => (previous.some((item) => item.id === uploaded.id) ? previous : [...previous, uploaded]));
      } catch (problem) {
        setError(problem);
      } finally {
        setUploading((count) => count - 1);
      }
    }
  };

  const onPaste = (event: ClipboardEvent) => {
    const pasted = [...event.clipboardData.files];
    if (pasted.length === 0) return;
    event.preventDefault();
    void upload(pasted);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    void upload([...event.dataTransfer.files]);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim() && files.length === 0 && !attachLive) return;
    setBusy(true);
    setError(null);
    try {
      const source = author.trim();
      await fetchClient.POST("/api/beamtimes/{bt}/events", {
        params: { path: { bt } },
        body: {
          text,
          level,
          file_ids: files.map((file) => file.id),
          attach_live_stream: attachLive,
          ...(source ? { source } : {}),
          ...(linkRun && runNumber !== null ? { run_number: runNumber } : {}),
        },
      });
      try {
        localStorage.setItem(AUTHOR_KEY, source);
      } catch {
        // Remembering the name is a convenience only.
      }
      setText("");
      setFiles([]);
      setAttachLive(false);
      setPreview(false);
      await client.invalidateQueries({ predicate: forBeamtime(bt, ["/api/beamtimes/{bt}/events", "/api/beamtimes/{bt}/overview"]) });
    } catch (problem) {
      setError(problem);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className={dragging ? "event-form dragging" : "event-form"}
      onSubmit={submit}
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      aria-label="New logbook entry"
    >
      {preview ? (
        <div className="preview">{text.trim() ? <Markdown text={text} /> : <p className="muted">Nothing to preview.</p>}</div>
      ) : (
        <textarea
          value={text}
          onChange={(event) => setText(event.target.value)}
          onPaste={onPaste}
          rows={4}
          placeholder="What happened? Markdown works; paste or drop screenshots and files here."
          aria-label="Entry text"
        />
      )}
      {(files.length > 0 || uploading > 0) && (
        <ul className="attachments">
          {files.map((file) => (
            <li key={file.id}>
              {file.mime_type.startsWith("image/") && <img src={`/api/files/${file.id}/thumbnail`} alt="" />}
              {file.name}
              <button type="button" className="link-button" aria-label={`Remove ${file.name}`} onClick={() => setFiles(files.filter((item) => item.id !== file.id))}>
                ×
              </button>
            </li>
          ))}
          {uploading > 0 && <li className="muted">Uploading {uploading}…</li>}
        </ul>
      )}
      <div className="event-form-controls">
        <label className="file-pick">
          Attach files
          <input
            type="file"
            multiple
            onChange={(event) => {
              void upload([...(event.target.files ?? [])]);
              event.target.value = "";
            }}
          />
        </label>
        <label>
          <input type="checkbox" checked={attachLive} disabled={!hasLiveImage} onChange={(event) => setAttachLive(event.target.checked)} />
          Attach live image
        </label>
        {runNumber !== null && (
          <label>
            <input type="checkbox" checked={linkRun} onChange={(event) => setLinkRun(event.target.checked)} />
            About run {runNumber}
          </label>
        )}
        <select value={level} onChange={(event) => setLevel(event.target.value as Level)} aria-label="Level">
          <option value="user">note</option>
          <option value="info">info</option>
          <option value="warning">warning</option>
          <option value="error">error</option>
        </select>
        <input className="author" value={author} onChange={(event) => setAuthor(event.target.value)} placeholder="Your name" aria-label="Your name" />
        <button type="button" className="secondary" onClick={() => setPreview(!preview)}>
          {preview ? "Edit" : "Preview"}
        </button>
        <button type="submit" disabled={busy || uploading > 0}>
          Post
        </button>
      </div>
      <ProblemView error={error} />
    </form>
  );
}
