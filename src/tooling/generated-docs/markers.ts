/**
 * Generated blocks inside hand-written markdown, terraform-docs style: everything between
 * `<!-- BEGIN GENERATED: <name> ... -->` and `<!-- END GENERATED: <name> -->` belongs to `npm run docs`.
 */

export function beginMarker(name: string): string {
  return `<!-- BEGIN GENERATED: ${name} (npm run docs writes this block; edit the code it comes from) -->`;
}

export function endMarker(name: string): string {
  return `<!-- END GENERATED: ${name} -->`;
}

const BLOCK = /<!-- BEGIN GENERATED: ([a-z0-9-]+)[^>]*-->\n[\s\S]*?<!-- END GENERATED: \1 -->/g;

/**
 * `text` with each block's content replaced by `blocks[name]`. Throws, naming the file and the block, when a
 * block to write has no markers or the file holds a block nothing generates.
 */
export function fillGeneratedBlocks(file: string, text: string, blocks: Readonly<Record<string, string>>): string {
  const found = new Set<string>();
  const filled = text.replace(BLOCK, (_whole, name: string) => {
    const content = blocks[name];
    if (content === undefined) {
      throw new Error(`${file}: generated block "${name}" has no generator; expected one of ${Object.keys(blocks).join(", ")}`);
    }
    found.add(name);
    return `${beginMarker(name)}\n${content.trimEnd()}\n${endMarker(name)}`;
  });
  const missing = Object.keys(blocks).filter((name) => !found.has(name));
  if (missing.length) {
    throw new Error(`${file}: no generated block "${missing[0]}"; add the lines ${beginMarker(missing[0])} and ${endMarker(missing[0])} where it belongs`);
  }
  return filled;
}
