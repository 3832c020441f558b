// Large collections, live: a fast first load, then listeners over fixed document-id ranges.
//
// Why not one onSnapshot over the whole collection: the first snapshot of a listener arrives
// as one message per document, and the Firestore emulator aborts a listen stream with more than
// 10,000 pending messages (a 10,000-item catalog never loads locally); a big snapshot is also
// slower to arrive than a plain query. So the collection is read once with a one-shot query
// (the Lite SDK: a single REST request) and rendered at once; then listeners are attached one
// after another over ranges of at most RANGE_SIZE documents, split at ids from that first
// read. Fixed ranges mean no document can fall between two listeners when items are added or
// removed later. The cost: the first load reads each document twice.
import {
  collection,
  documentId,
  endBefore,
  onSnapshot,
  orderBy,
  query,
  startAt,
} from "firebase/firestore";
import {
  collection as liteCollection,
  documentId as liteDocumentId,
  getDocs as liteGetDocs,
  orderBy as liteOrderBy,
  query as liteQuery,
} from "firebase/firestore/lite";

export const RANGE_SIZE = 2000;

/**
 * Calls `apply(changes, { initial })` with [{ type: "added"|"modified"|"removed", id, data }]:
 * first with every document (initial: true), then with each live change. Returns a function
 * that stops every listener.
 */
export function watchCollection({ db, lite, path, apply, onError, rangeSize = RANGE_SIZE }) {
  const stops = [];
  let stopped = false;
  (async () => {
    const first = await liteGetDocs(liteQuery(liteCollection(lite, path), liteOrderBy(liteDocumentId())));
    if (stopped) return;
    const ids = first.docs.map((d) => d.id);
    apply(
      first.docs.map((d) => ({ type: "added", id: d.id, data: d.data() })),
      { initial: true },
    );
    const bounds = [];
    for (let i = rangeSize; i < ids.length; i += rangeSize) bounds.push(ids[i]);
    const col = collection(db, path);
    for (let k = 0; k <= bounds.length && !stopped; k++) {
      const lower = k > 0 ? bounds[k - 1] : null;
      const upper = k < bounds.length ? bounds[k] : null;
      const constraints = [orderBy(documentId())];
      if (lower !== null) constraints.push(startAt(lower));
      if (upper !== null) constraints.push(endBefore(upper));
      const inRange = (id) => (lower === null || id >= lower) && (upper === null || id < upper);
      // Attach the next range only once this one has delivered its first snapshot.
      await new Promise((resolve) => {
        let initial = true;
        const stop = onSnapshot(
          query(col, ...constraints),
          (snap) => {
            const changes = snap.docChanges().map((c) => ({ type: c.type, id: c.doc.id, data: c.doc.data() }));
            if (initial) {
              // Deleted between the first read and this listener: drop them now.
              const present = new Set(snap.docs.map((d) => d.id));
              for (const id of ids) if (inRange(id) && !present.has(id)) changes.push({ type: "removed", id, data: null });
              initial = false;
              resolve();
            }
            if (changes.length) apply(changes, { initial: false });
          },
          (exc) => {
            onError?.(exc);
            resolve();
          },
        );
        stops.push(stop);
      });
    }
  })().catch((exc) => onError?.(exc));
  return () => {
    stopped = true;
    stops.forEach((stop) => stop());
  };
}
