//! JS helpers for tests that send files: random blobs to send, and their SHA-256 to
//! check what arrived.

/// `window.makeFile(mib)`: a `Blob` of random bytes, made 64 KiB at a time (the most
/// `getRandomValues` fills at once); `window.sha256(blob)`: its SHA-256 in hex (WebCrypto:
/// the page must be a secure context, and says so when it is not).
pub const FILE_HELPERS: &str = "
    window.makeFile = (mib) => {
      const parts = [];
      for (let i = 0; i < mib * 16; i++) {
        parts.push(crypto.getRandomValues(new Uint8Array(65536)));
      }
      return new Blob(parts, { type: 'application/octet-stream' });
    };
    window.sha256 = async (blob) => {
      if (!crypto.subtle) throw new Error('no WebCrypto: the page is not a secure context');
      const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
      return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
    };";
