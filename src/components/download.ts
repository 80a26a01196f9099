// Saves a Blob as a download with the given file name.
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  // The click has queued the download; the object URL can go once this task ends.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
