/** Where the user is working: the folder of the document just activated (a notebook, a
 * file) or the one the file browser just opened, whichever changed last. The sidebar's
 * project follows it. */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { PathExt } from '@jupyterlab/coreutils';
import { IDocumentWidget } from '@jupyterlab/docregistry';
import { FileBrowser } from '@jupyterlab/filebrowser';
import { ISignal, Signal } from '@lumino/signaling';

export class WorkingLocation {
  constructor(browser: FileBrowser | null, shell: JupyterFrontEnd.IShell | null) {
    browser?.model.pathChanged.connect(() => this.set(browser.model.path), this);
    const labShell = shell as { currentChanged?: ISignal<unknown, unknown> } | null;
    labShell?.currentChanged?.connect(() => {
      const current = shell?.currentWidget as Partial<IDocumentWidget> | null | undefined;
      const document = current?.context?.path;
      if (document !== undefined) {
        this.set(PathExt.dirname(document));
      }
    }, this);
    this._path = browser?.model.path ?? '';
  }

  /** The folder, relative to the server root. */
  get path(): string {
    return this._path;
  }

  /** Emitted with the new folder when it changes. */
  get changed(): ISignal<this, string> {
    return this._changed;
  }

  /** The last folder chosen (by the file browser or the active document) wins. */
  private set(path: string): void {
    if (path !== this._path) {
      this._path = path;
      this._changed.emit(path);
    }
  }

  private _path: string;
  private _changed = new Signal<this, string>(this);
}
