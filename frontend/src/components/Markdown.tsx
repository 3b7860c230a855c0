import { useMemo, type ReactNode } from "react";
import { parseMarkdown, type Block, type Inline } from "../lib/markdown";

function renderInline(nodes: Inline[]): ReactNode[] {
  return nodes.map((node, index) => {
    switch (node.t) {
      case "text":
        return node.v;
      case "code":
        return <code key={index}>{node.v}</code>;
      case "strong":
        return <strong key={index}>{renderInline(node.c)}</strong>;
      case "em":
        return <em key={index}>{renderInline(node.c)}</em>;
      case "link":
        return (
          <a key={index} href={node.href} target="_blank" rel="noreferrer noopener">
            {renderInline(node.c)}
          </a>
        );
      case "image":
        return <img key={index} src={node.src} alt={node.alt} className="md-image" loading="lazy" />;
      case "br":
        return <br key={index} />;
    }
  });
}

function renderBlock(block: Block, index: number): ReactNode {
  switch (block.t) {
    case "p":
      return <p key={index}>{renderInline(block.c)}</p>;
    case "h": {
      // Entries sit inside a page with its own headings: start at h3.
      const Tag = `h${Math.min(6, block.level + 2)}` as "h3";
      return <Tag key={index}>{renderInline(block.c)}</Tag>;
    }
    case "pre":
      return (
        <pre key={index}>
          <code>{block.v}</code>
        </pre>
      );
    case "quote":
      return <blockquote key={index}>{block.c.map(renderBlock)}</blockquote>;
    case "ul":
    case "ol": {
      const List = block.t;
      return (
        <List key={index}>
          {block.items.map((item, position) => (
            <li key={position}>{renderInline(item)}</li>
          ))}
        </List>
      );
    }
    case "hr":
      return <hr key={index} />;
  }
}

export function Markdown({ text }: { text: string }) {
  const blocks = useMemo(() => parseMarkdown(text), [text]);
  return <div className="markdown">{blocks.map(renderBlock)}</div>;
}
