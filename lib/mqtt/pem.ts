// PEM text pasted into a single-line field (the editor's password input for a private key)
// loses its line breaks; TLS needs them back.

export function normalizePem(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const s = text.trim();
  if (s.includes('\n') || !s.includes('-----BEGIN')) return s;
  return s.replace(/(-----BEGIN [A-Z0-9 ]+-----)\s*([\s\S]*?)\s*(-----END [A-Z0-9 ]+-----)/g, (_m, begin: string, body: string, end: string) => {
    const b64 = body.replace(/\s+/g, '');
    return `${begin}\n${b64.match(/.{1,64}/g)?.join('\n') ?? ''}\n${end}`;
  }) + '\n';
}
