// The tenant's staff (tenants/{T}/staff/{uid}, written by `python -m shared.cli staff add`):
// names for assignment and for who wrote a reply or note.
import { collection, onSnapshot } from "firebase/firestore";

export function watchStaff(db, tenant, onChange) {
  const names = new Map();
  const roles = new Map();
  onSnapshot(
    collection(db, `tenants/${tenant}/staff`),
    (snap) => {
      names.clear();
      for (const d of snap.docs) {
        const s = d.data();
        names.set(d.id, s.name || s.email || d.id);
        roles.set(d.id, s.role || "agent");
      }
      onChange?.();
    },
    () => onChange?.(),
  );
  return {
    names,
    name: (uid) => names.get(uid) || uid,
    /** Every staff member, oneself first (also when not yet listed). */
    members(self) {
      const all = [...names.entries()].map(([uid, name]) => ({ uid, name, role: roles.get(uid) }));
      all.sort((a, b) => (a.uid === self ? -1 : b.uid === self ? 1 : a.name.localeCompare(b.name)));
      if (!names.has(self)) all.unshift({ uid: self, name: self, role: null });
      return all;
    },
  };
}
