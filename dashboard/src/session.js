// Connects to Firestore and decides who the staff member is and which tenant they see.
//
// Locally (served by devtools/serve_dashboard.py) /config.json names the Firestore emulator; the
// page connects with a mock user token carrying the `tenant` claim, so firestore.rules apply
// exactly as in the cloud. On Firebase Hosting there is no /config.json: the page reads Hosting's
// /__/firebase/init.json and signs staff in with Firebase Authentication (email/password); their
// `tenant` custom claim selects the tenant.
import { initializeApp } from "firebase/app";
import { connectFirestoreEmulator, initializeFirestore } from "firebase/firestore";
import { connectFirestoreEmulator as connectLiteEmulator, getFirestore as getLiteFirestore } from "firebase/firestore/lite";

async function fetchJson(url) {
  const response = await fetch(url, { cache: "no-store" });
  const type = response.headers.get("content-type") || "";
  if (!response.ok || !type.includes("json")) return null;
  return response.json();
}

export async function loadConfig() {
  const local = await fetchJson("/config.json").catch(() => null);
  if (local) return local;
  const firebase = await fetchJson("/__/firebase/init.json").catch(() => null);
  if (!firebase) throw new Error("no runtime config: neither /config.json nor Firebase Hosting's init.json");
  return { mode: "cloud", firebase, firestoreEmulator: null, tenant: null, simulator: false };
}

/** Resolves to { db, tenant, uid, config, signOut } once a staff identity is known. */
export async function openSession(config, { onSignInNeeded } = {}) {
  const app = initializeApp(config.firebase);
  const db = initializeFirestore(app, {});
  const lite = getLiteFirestore(app); // one-shot reads over REST (see live.js)
  if (config.mode === "emulator") {
    // Locally any tenant can be looked at (tests and benchmarks use their own): ?tenant=ID;
    // ?staff=UID&role=agent signs in as another staff member (two staff, roles).
    const params = new URLSearchParams(location.search);
    const tenant = params.get("tenant") || config.tenant;
    const uid = params.get("staff") || config.staffUid || "local-staff";
    const role = params.get("role") === "agent" ? "agent" : "owner";
    const { host, port } = config.firestoreEmulator;
    const mockUserToken = { user_id: uid, tenant, role, email: `${uid}@localhost` };
    connectFirestoreEmulator(db, host, port, { mockUserToken });
    connectLiteEmulator(lite, host, port, { mockUserToken });
    return { db, lite, tenant, uid, role, name: uid, config, signOut: null };
  }
  // Firebase Authentication is loaded only in the cloud, keeping the local bundle lean.
  const auth = await import("firebase/auth");
  const instance = auth.getAuth(app);
  const user = await new Promise((resolve) => {
    const stop = auth.onAuthStateChanged(instance, (u) => {
      if (u) {
        stop();
        resolve(u);
      } else {
        onSignInNeeded?.((email, password) => auth.signInWithEmailAndPassword(instance, email, password));
      }
    });
  });
  const token = await user.getIdTokenResult(true);
  const tenant = token.claims.tenant;
  if (!tenant) {
    await auth.signOut(instance);
    throw new Error("this account has no staff access (no tenant claim); ask the administrator");
  }
  const role = token.claims.role === "owner" ? "owner" : "agent";
  return { db, lite, tenant, uid: user.uid, role, name: user.displayName || user.email, config, signOut: () => auth.signOut(instance).then(() => location.reload()) };
}
