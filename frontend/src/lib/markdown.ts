/**
 * The Markdown of logbook entries, parsed into a small tree that React renders as elements.
 * Raw HTML is never interpreted (it shows as text), and links only follow http(s), mailto and
 * same-site URLs, so an entry cannot run script in a colleague's browser. Single line breaks
 * are kept: people type logbook notes line by line.
 */
export type Inline =
  | { t: "text"; v: string }
  | { t: "code"; v: string }
  | { t: "strong"; c: Inline[] }
  | { t: "em"; c: Inline[] }
  | { t: "link"; href: string; c: Inline[] }
  | { t: "image"; src: string; alt: string }
  | { t: "br" };

export type Block =
  | { t: "p"; c: Inline[] }
  | { t: "h"; level: number; c: Inline[] }
  | { t: "pre"; v: string }
  | { t: "quote"; c: Block[] }
  | { t: "ul" | "ol"; items: Inline[][] }
  | { t: "hr" };

export function safeUrl(url: string): string | null {
  const trimmed = url.trim();
  if (/^(https?:|mailto:)/i.test(trimmed)) return trimmed;
  if (/^(\/(?!\/)|#|\.\.?\/)/.test(trimmed)) return trimmed;
  return null;
}

const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^\s*([-*_])(\s*\1){2,}\s*$/;
const FENCE = /^\s*(```|~~~)/;

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let index = 0;
  const isBlank = (line: string | undefined) => line === undefined || line.trim() === "";
  const startsBlock = (line: string) =>
    FENCE.test(line) || HEADING.test(line) || RULE.test(line) || BULLET.test(line) || NUMBERED.test(line) || line.startsWith(">");

  while (index < lines.length) {
    const line = lines[index] as string;
    if (isBlank(line)) {
      index += 1;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const body: string[] = [];
      index += 1;
      while (index < lines.length && !(lines[index] as string).trim().startsWith(fence[1] as string)) {
        body.push(lines[index] as string);
        index += 1;
      }
      index += 1;
      blocks.push({ t: "pre", v: body.join("\n") });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ t: "h", level: (heading[1] as string).length, c: parseInline(heading[2] as string) });
      index += 1;
      continue;
    }
    if (RULE.test(line)) {
      blocks.push({ t: "hr" });
      index += 1;
      continue;
    }
    if (line.startsWith(">")) {
      const quoted: string[] = [];
      while (index < lines.length && (lines[index] as string).startsWith(">")) {
        quoted.push((lines[index] as string).replace(/^>\s?/, ""));
        index += 1;
      }
      blocks.push({ t: "quote", c: parseMarkdown(quoted.join("\n")) });
      continue;
    }
    const listKind = BULLET.test(line) ? "ul" : NUMBERED.test(line) ? "ol" : null;
    if (listKind) {
      const pattern = listKind === "ul" ? BULLET : NUMBERED;
      const items: Inline[][] = [];
      while (index < lines.length) {
        const match = pattern.exec(lines[index] as string);
        if (!match) break;
        items.push(parseInline(match[1] as string));
        index += 1;
      }
      blocks.push({ t: listKind, items });
      continue;
    }
    const paragraph: string[] = [];
    while (index < lines.length && !isBlank(lines[index]) && (paragraph.length === 0 || !startsBlock(lines[index] as string))) {
      paragraph.push(lines[index] as string);
      index += 1;
    }
    const content: Inline[] = [];
    paragraph.forEach((text, position) => {
      if (position > 0) content.push({ t: "br" });
      content.push(...parseInline(text));
    });
    blocks.push({ t: "p", c: content });
  }
  return blocks;
}

/** Inline rules, tried in order at each position; the earliest match wins. */
const INLINE = /(`+)([^`]|[^`][\s\S]*?[^`])\1|!\[([^\]]*)\]\(([^)\s]+)\)|\[([^\]]+)\]\(([^)\s]+)\)|\*\*(.+?)\*\*|__(.+?)__|\*([^*\s](?:.*?[^*\s])?)\*|\b_([^_\s](?:.*?[^_\s])?)_\b|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/;

export function parseInline(text: string): Inline[] {
  const result: Inline[] = [];
  let rest = text;
  while (rest.length > 0) {
    const match = INLINE.exec(rest);
    if (!match) {
      pushText(result, rest);
      break;
    }
    if (match.index > 0) pushText(result, rest.slice(0, match.index));
    result.push(inlineOf(match));
    rest = rest.slice(match.index + match[0].length);
  }
  return result;
}

function inlineOf(match: RegExpExecArray): Inline {
  const [whole, , code, alt, imageUrl, label, linkUrl, strong, strongUnderscore, em, emUnderscore, bareUrl] = match;
  if (code !== undefined) return { t: "code", v: code.trim() === "" ? code : code.replace(/^ (.*) $/, "$1") };
  if (imageUrl !== undefined) {
    const src = safeUrl(imageUrl);
    return src ? { t: "image", src, alt: alt ?? "" } : { t: "text", v: whole };
  }
  if (linkUrl !== undefined) {
    const href = safeUrl(linkUrl);
    return href ? { t: "link", href, c: parseInline(label ?? "") } : { t: "text", v: whole };
  }
  if (strong !== undefined || strongUnderscore !== undefined) return { t: "strong", c: parseInline(strong ?? strongUnderscore ?? "") };
  if (em !== undefined || emUnderscore !== undefined) return { t: "em", c: parseInline(em ?? emUnderscore ?? "") };
  if (bareUrl !== undefined) return { t: "link", href: bareUrl, c: [{ t: "text", v: bareUrl }] };
  return { t: "text", v: whole };
}

function pushText(into: Inline[], text: string): void {
  const last = into[into.length - 1];
  if (last?.t === "text") last.v += text;
  else into.push({ t: "text", v: text });
}
