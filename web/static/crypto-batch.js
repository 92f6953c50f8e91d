// AES-GCM over many chunks in one call, for the Python WebCrypto backend (syncoxide_web.platform.webcrypto).
//
// Why it exists: every Promise awaited from Pyodide costs a trip through its event loop
// (~0.2-0.8 ms here), more than WebCrypto needs for a 64 KiB chunk. Starting all of a batch's
// calls here and handing Python one Promise, with the results packed into one buffer, makes that
// cost once per batch instead of once per chunk.
(() => {
  "use strict";
  // Python passes its bytes as a PyProxy: getBuffer() views them in place (no copy across the
  // FFI); WebCrypto copies its input when each call starts, so the view is released right after.
  function view(bytes) {
    return bytes && typeof bytes.getBuffer === "function"
      ? bytes.getBuffer("u8")
      : { data: bytes, release: () => {} };
  }

  function gcmMany(operation, key, ivBytes, ivSize, aadBytes, dataBytes, sizes) {
    const ivs = view(ivBytes);
    const aad = view(aadBytes);
    const data = view(dataBytes);
    try {
      return start(operation, key, ivs.data, ivSize, aad.data, data.data, sizes);
    } finally {
      ivs.release();
      aad.release();
      data.release();
    }
  }

  function start(operation, key, ivs, ivSize, aad, data, sizes) {
    const calls = [];
    let offset = 0;
    for (let i = 0; i < sizes.length; i++) {
      const algorithm = {
        name: "AES-GCM",
        iv: ivs.subarray(i * ivSize, (i + 1) * ivSize),
        additionalData: aad,
        tagLength: 128,
      };
      const input = data.subarray(offset, offset + sizes[i]);
      offset += sizes[i];
      const call = crypto.subtle[operation](algorithm, key, input);
      // A bad tag is an answer ("does not verify"), not a failure of the batch.
      calls.push(
        call.catch((error) => {
          if (error && error.name === "OperationError") return null;
          throw error;
        }),
      );
    }
    return Promise.all(calls).then((results) => {
      let total = 0;
      const lengths = new Int32Array(results.length);
      results.forEach((r, n) => {
        lengths[n] = r === null ? -1 : r.byteLength;
        total += r === null ? 0 : r.byteLength;
      });
      const packed = new Uint8Array(total);
      let at = 0;
      results.forEach((r) => {
        if (r !== null) {
          packed.set(new Uint8Array(r), at);
          at += r.byteLength;
        }
      });
      return { packed: packed, lengths: lengths };
    });
  }
  globalThis.syncoxideCrypto = { gcmMany: gcmMany };
})();
