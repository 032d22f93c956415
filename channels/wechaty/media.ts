/**
 * Customer media (image, voice, video, file). What the puppet says about the file (name, media
 * type, size) always goes into the message's attachment; the bytes are saved under
 * DATA_DIR/wechaty/media only when they fit WECHATY_MEDIA_MAX_BYTES and arrive within
 * WECHATY_MEDIA_TIMEOUT_MS. A file that is too large, too slow or unavailable is recorded as
 * such (`meta.download`), never dropped: the customer's message is stored either way.
 *
 * The saved file is named after the message id (hashed), never after the name the customer's
 * side gave: that name is only metadata, so it cannot steer the path anywhere.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Attachment } from '../../src/contract.js';
import type { MediaSettings } from './definition.js';
import type { DownloadSlots } from './download-slots.js';

/** The part of file-box's FileBox that is used (what `message.toFileBox()` gives). */
export interface FileBoxLike {
  name: string;
  /** `application/unknown` when the puppet does not know. */
  mediaType: string;
  /** -1 when unknown (a URL box without Content-Length). */
  size: number;
  toStream(): Promise<Readable>;
}

/**
 * `stored`: bytes saved (`file`, relative to DATA_DIR, and `sha256`); `oversize`: larger than
 * the cap (also `oversize: true`, as e-mail marks its attachments); `off`: the cap is 0;
 * `timeout` / `failed`: the puppet did not hand the bytes over (`error` says why);
 * `skipped`: not downloaded because too many downloads were under way (`reason`:
 * `queue_full`, or `no_slot_in_time` when no slot freed up within the timeout).
 */
export type DownloadState = 'stored' | 'oversize' | 'off' | 'timeout' | 'failed' | 'skipped';

class TooLarge extends Error {}

/** The name as metadata: its last path segment, no control characters. */
export function displayName(name: string | undefined): string | undefined {
  const last = (name ?? '').split(/[/\\]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 512);
  return last && last !== '.' && last !== '..' ? last : undefined;
}

/** A short, safe extension from the name (so the saved file opens with the right program), else `bin`. */
export function safeExtension(name: string | undefined): string {
  return /\.([a-z0-9]{1,8})$/i.exec(name ?? '')?.[1]?.toLowerCase() ?? 'bin';
}

function describe(box: FileBoxLike): Partial<Attachment> {
  const name = displayName(box.name);
  const mime = typeof box.mediaType === 'string' && /^[\w.+-]+\/[\w.+-]+$/.test(box.mediaType) && box.mediaType !== 'application/unknown'
    ? box.mediaType.slice(0, 255) : undefined;
  const size = Number.isSafeInteger(box.size) && box.size >= 0 ? box.size : undefined;
  return { ...(name ? { name } : {}), ...(mime ? { mimeType: mime } : {}), ...(size !== undefined ? { size } : {}) };
}

/** Rejects when `signal` aborts; a value that arrives later is handed to `discard`. */
function abortable<T>(work: Promise<T>, signal: AbortSignal, discard: (late: T) => void = () => undefined): Promise<T> {
  if (signal.aborted) {
    work.then(discard, () => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.then(discard, () => undefined);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Where a message's file goes: DATA_DIR/wechaty/media/<UTC day>/<hash of the message id>.<ext>. */
export function mediaPath(settings: MediaSettings, messageId: string, name: string | undefined, now: number): string {
  const day = new Date(now).toISOString().slice(0, 10);
  const id = createHash('sha256').update(messageId).digest('hex').slice(0, 32);
  return join(settings.dir, day, `${id}.${safeExtension(name)}`);
}

/** Streams the bytes to a temporary file, renamed into place when complete; null when over the cap. */
async function save(box: FileBoxLike, path: string, maxBytes: number, signal: AbortSignal): Promise<{ bytes: number; sha256: string } | null> {
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.${randomUUID()}.part`;
  const hash = createHash('sha256');
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(new TooLarge());
      hash.update(chunk);
      return done(null, chunk);
    },
  });
  try {
    const stream = await abortable(box.toStream(), signal, (late) => late.destroy());
    // A URL box streams the HTTP response whatever its status: an error page is not the file.
    const status = (stream as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400) {
      stream.destroy();
      throw new Error(`the file's URL answered HTTP ${status}`);
    }
    await pipeline(stream, counter, createWriteStream(partial, { flags: 'wx', mode: 0o600 }), { signal });
    await rename(partial, path);
    return { bytes, sha256: hash.digest('hex') };
  } catch (error) {
    await rm(partial, { force: true });
    if (error instanceof TooLarge) return null;
    throw error;
  }
}

/**
 * The attachment of a media message with what the puppet says about its file, and the file
 * saved when allowed and a download slot is free. Never throws: whatever goes wrong is
 * recorded in `meta`. The timeout counts from the start, waiting for a slot included: the
 * customer's thread is held no longer than that.
 */
export async function fetchMedia(
  attachment: Attachment, messageId: string, load: () => Promise<FileBoxLike>, settings: MediaSettings, slots: DownloadSlots, now: number,
): Promise<Attachment> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no file from the puppet within ${settings.timeoutMs} ms`)), settings.timeoutMs);
  let described = attachment;
  const recorded = (download: DownloadState, extra: Record<string, unknown> = {}): Attachment => ({ ...described, meta: { ...described.meta, download, ...extra } });
  try {
    const box = await abortable(load(), controller.signal);
    described = { ...attachment, ...describe(box) };
    if (settings.maxBytes === 0) return recorded('off');
    const tooLarge = () => recorded('oversize', { oversize: true, maxBytes: settings.maxBytes });
    if (described.size !== undefined && described.size > settings.maxBytes) return tooLarge();
    const release = await slots.acquire(controller.signal).catch(() => 'late' as const);
    if (release === null) return recorded('skipped', { reason: 'queue_full', error: `more than ${slots.maxWaiting} downloads were waiting` });
    if (release === 'late') return recorded('skipped', { reason: 'no_slot_in_time', error: `no download slot within ${settings.timeoutMs} ms` });
    const path = mediaPath(settings, messageId, described.name, now);
    const saved = await save(box, path, settings.maxBytes, controller.signal).finally(release);
    if (!saved) return tooLarge();
    described = { ...described, size: saved.bytes };
    return recorded('stored', { file: relative(settings.dataDir, path).split(sep).join('/'), sha256: saved.sha256 });
  } catch (error) {
    const reason = controller.signal.aborted ? controller.signal.reason : error;
    return recorded(controller.signal.aborted ? 'timeout' : 'failed', { error: String((reason as Error)?.message ?? reason).slice(0, 300) });
  } finally {
    clearTimeout(timer);
  }
}
