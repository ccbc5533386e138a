//! The Redis key of a credential: a keyed hash (HMAC-SHA-256) of App-ID
//! and Auth-Token, so the token never reaches Redis.

use sha2::{Digest, Sha256};

/// SHA-256's block size in bytes.
const BLOCK: usize = 64;

/// HMAC-SHA-256 (RFC 2104) of the concatenated `parts` under `secret`.
pub(crate) fn hmac_sha256(secret: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut key = [0u8; BLOCK];
    if secret.len() > BLOCK {
        key[..32].copy_from_slice(&Sha256::digest(secret));
    } else {
        key[..secret.len()].copy_from_slice(secret);
    }
    let mut inner = Sha256::new();
    inner.update(key.map(|b| b ^ 0x36));
    for part in parts {
        inner.update(part);
    }
    let mut outer = Sha256::new();
    outer.update(key.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// `{prefix}{hex}`: the hash frames App-ID by its length so that no two
/// credential pairs share an input.
pub(crate) fn credential_key(prefix: &str, secret: &[u8], app_id: &str, token: &str) -> String {
    let len = (app_id.len() as u64).to_be_bytes();
    let mac = hmac_sha256(secret, &[&len, app_id.as_bytes(), token.as_bytes()]);
    let mut key = String::with_capacity(prefix.len() + 64);
    key.push_str(prefix);
    for b in mac {
        key.push_str(&format!("{b:02x}"));
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // test case 1
        let mac = hmac_sha256(&[0x0b; 20], &[b"Hi ", b"There"]);
        assert_eq!(
            hex(&mac),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        // test case 6: a key longer than the block is hashed first
        let mac = hmac_sha256(
            &[0xaa; 131],
            &[b"Test Using Larger Than Block-Size Key - Hash Key First"],
        );
        assert_eq!(
            hex(&mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn keys_differ_by_credential_and_secret_and_hide_the_token() {
        let k = |secret: &[u8], app: &str, token: &str| credential_key("p:", secret, app, token);
        let a = k(b"s", "app", "token-1");
        assert!(a.starts_with("p:") && a.len() == 66 && !a.contains("token"));
        assert_eq!(a, k(b"s", "app", "token-1"));
        assert_ne!(a, k(b"s", "app", "token-2"));
        assert_ne!(a, k(b"t", "app", "token-1"));
        // framing: moving a byte between the parts changes the key
        assert_ne!(k(b"s", "ab", "c"), k(b"s", "a", "bc"));
    }
}
