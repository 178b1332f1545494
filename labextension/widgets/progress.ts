/** A notification for work that takes a while: "in progress" while it runs, then one saying
 * how it ended.
 *
 * The outcome is a new notification, not an update of the first one: JupyterLab 4 (with
 * react-toastify 9) loses an update that comes before the first toast is drawn. Until the
 * toast container has rendered it, `toast.isActive(id)` is false, so Lab creates the toast
 * again under the same id, which react-toastify ignores as a duplicate; the "in progress"
 * toast then stays on screen for good. Work that answers quickly on a page whose first
 * notification this is (react-toastify is loaded then) hits that. */
import { Notification } from '@jupyterlab/apputils';

/** Say `pending` until `work` ends, then `done(result)` (closing after 15 s) or
 * `failed(error)` (staying until closed). */
export async function notifyProgress<T>(
  pending: string,
  work: () => Promise<T>,
  done: (result: T) => string,
  failed: (error: Error) => string
): Promise<void> {
  const id = Notification.emit(pending, 'in-progress', { autoClose: false });
  const [type, message] = await work().then(
    result => ['success', done(result)] as const,
    (error: Error) => ['error', failed(error)] as const
  );
  Notification.dismiss(id);
  Notification.emit(message, type, { autoClose: type === 'success' ? 15000 : false });
}
