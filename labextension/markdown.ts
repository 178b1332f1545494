/** Descriptions written in Markdown (a sweep's table of parameters, a dataset's notes),
 * rendered by JupyterLab's own Markdown renderer, untrusted, so any HTML is sanitized. */
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';

/** An element showing `markdown` (filled once rendered). */
export type MarkdownRenderer = (markdown: string) => HTMLElement;

export function markdownRenderer(registry: IRenderMimeRegistry): MarkdownRenderer {
  return markdown => {
    const renderer = registry.createRenderer('text/markdown');
    renderer.addClass('jp-DerivaML-markdown');
    void renderer.renderModel(
      new MimeModel({ data: { 'text/markdown': markdown }, trusted: false })
    );
    return renderer.node;
  };
}
