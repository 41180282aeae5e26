/**
 * index.html: the summary's headline, links to every file and the SVG plots embedded inline
 * (so the page works when copied alone).
 */
function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface HtmlInput {
  readonly title: string;
  readonly description: string;
  /** Preformatted summary text (the terminal summary). */
  readonly summary: string;
  readonly files: readonly { readonly file: string; readonly title: string }[];
  readonly plots: readonly { readonly file: string; readonly title: string; readonly svg: string }[];
}

export function indexHtml(h: HtmlInput): string {
  const links = h.files.map((f) => `<li><a href="${escape(f.file)}">${escape(f.file)}</a>: ${escape(f.title)}</li>`).join('\n');
  const figures = h.plots
    .map((p) => `<figure id="${escape(p.file)}">\n<figcaption><a href="${escape(p.file)}">${escape(p.title)}</a></figcaption>\n${p.svg.replace(/^<\?xml[^>]*>\s*/, '')}\n</figure>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>${escape(h.title)}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }
pre { background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: 12px; }
figure { margin: 2em 0; } figcaption { font-weight: bold; margin-bottom: .5em; }
figure svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>${escape(h.title)}</h1>
<p>${escape(h.description)}</p>
<h2>Summary</h2>
<pre>${escape(h.summary)}</pre>
<h2>Files</h2>
<ul>
${links}
</ul>
<h2>Plots</h2>
${figures}
</body>
</html>
`;
}
