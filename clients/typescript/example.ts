// Sign in with an API token, list your share links, and upload a file into your storage.
//
//   npx tsc -p clients/typescript
//   node clients/typescript/dist/example.js https://files.example.org "$TOKEN" report.pdf docs/report.pdf
//
// Small calls go through the generated SDK. The upload speaks tus 1.0.0 (resumable, any size)
// with fetch, then names the finished upload with the generated commitStorageUpload, which checks
// the SHA-1 computed here.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { client } from "./src/generated/client.gen.js";
import { commitStorageUpload, listShares, me } from "./src/generated/index.js";

const TUS = { "Tus-Resumable": "1.0.0" };
const PART = 8 << 20; // bytes per PATCH; a broken upload resumes from the server's offset

async function main(url: string, token: string, local: string, remote: string): Promise<void> {
  client.setConfig({ baseUrl: url, auth: token });
  const who = await me({ throwOnError: true });
  console.log(`signed in as ${who.data.user.name}`);
  const shares = await listShares({ throwOnError: true });
  console.log(`${shares.data.links.length} share links`);
  const bytes = await readFile(local);
  const upload = await tusUpload(url, token, bytes);
  const sha1 = createHash("sha1").update(bytes).digest("hex");
  const stored = await commitStorageUpload({
    body: { upload, path: remote, sha1 },
    throwOnError: true,
  });
  console.log(`stored ${stored.data.path} (${stored.data.size} bytes, sha256 ${stored.data.sha256})`);
}

async function tusUpload(url: string, token: string, bytes: Uint8Array): Promise<string> {
  const auth = { Authorization: `Bearer ${token}` };
  const created = await fetch(new URL("/api/v1/storage/uploads/", url), {
    method: "POST",
    headers: { ...TUS, ...auth, "Upload-Length": String(bytes.length) },
  });
  const location = created.headers.get("Location");
  if (!created.ok || location === null) {
    throw new Error(`the server refused the upload: ${created.status} ${await created.text()}`);
  }
  const target = new URL(location, url);
  let offset = 0;
  while (offset < bytes.length) {
    const sent = await fetch(target, {
      method: "PATCH",
      headers: {
        ...TUS,
        ...auth,
        "Upload-Offset": String(offset),
        "Content-Type": "application/offset+octet-stream",
      },
      body: new Uint8Array(bytes.subarray(offset, offset + PART)), // an ArrayBuffer-backed copy
    });
    if (!sent.ok) {
      throw new Error(`upload stopped at ${offset}: ${sent.status} ${await sent.text()}`);
    }
    offset = Number(sent.headers.get("Upload-Offset"));
  }
  return target.pathname.replace(/\/$/, "").split("/").pop() ?? "";
}

const [url, token, local, remote] = process.argv.slice(2);
if (remote === undefined) {
  console.error("usage: node dist/example.js SERVER_URL TOKEN LOCAL_FILE REMOTE_PATH");
  process.exit(2);
}
main(url, token, local, remote).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
