/** A connection string with its password replaced, safe for logs and reports. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const key of [...u.searchParams.keys()]) if (/pass/i.test(key)) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@').replace(/(password=)[^&\s]*/gi, '$1***');
  }
}

/** A text with the password of every postgres:// URL in it replaced (a server's or a target's output). */
export function redactUrlsIn(text: string): string {
  return text.replace(/\b(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]*@/g, '$1***@');
}

/** Removes every occurrence of the given secrets from a text. */
export function redactSecrets(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('***');
  return out;
}
