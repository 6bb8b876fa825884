//! The Vitess keyspace id of a user: the value of the `hash` vindex (the
//! primary vindex of every sharded table) for the user id, and what the
//! email lookup table `user_emails` stores for an address
//! (`consistent_lookup_unique`, vitess/README.md).
//!
//! Vitess's `hash` is 3DES (DES-EDE3) with a 24-byte all-zero key over the
//! big-endian `u64` of the id; with three equal keys EDE is single DES with
//! an all-zero key. The block is 8 bytes in, 8 bytes out, and reversible.

use des::TdesEde3;
use des::cipher::{Block, BlockCipherDecrypt as _, BlockCipherEncrypt as _, Key, KeyInit as _};

use crate::UserId;

/// The keyspace id Vitess computes for `user_id` (`hash` vindex): the shard
/// that holds everything of the user is the one whose range contains it.
pub fn keyspace_id(user_id: UserId) -> [u8; 8] {
    let cipher = TdesEde3::new(&Key::<TdesEde3>::default());
    let mut block = Block::<TdesEde3>::from(user_id.get().cast_unsigned().to_be_bytes());
    cipher.encrypt_block(&mut block);
    block.into()
}

/// The user a keyspace id was computed from (`hash` is reversible); `None`
/// when `keyspace_id` is not 8 bytes.
pub fn user_id_of(keyspace_id: &[u8]) -> Option<UserId> {
    let bytes: [u8; 8] = keyspace_id.try_into().ok()?;
    let cipher = TdesEde3::new(&Key::<TdesEde3>::default());
    let mut block = Block::<TdesEde3>::from(bytes);
    cipher.decrypt_block(&mut block);
    Some(UserId::new(u64::from_be_bytes(block.into()).cast_signed()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: [u8; 8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Vitess's own vectors (go/vt/vtgate/vindexes/hash_test.go, `TestHashMap`).
    #[test]
    fn matches_the_vitess_hash_vindex() {
        for (id, expected) in [
            (1, "166b40b44aba4bd6"),
            (2, "06e7ea22ce92708f"),
            (3, "4eb190c9a2fa169c"),
            (4, "d2fd8867d50d2dfe"),
            (5, "70bb023c810ca87a"),
            (6, "f098480ac4c4be71"),
        ] {
            assert_eq!(hex(keyspace_id(UserId::new(id))), expected, "user {id}");
        }
    }

    #[test]
    fn distinct_ids_have_distinct_keyspace_ids() {
        let ids = [0, 1, 120_038_332_997_988_352, i64::MAX];
        let keyspace_ids: std::collections::BTreeSet<[u8; 8]> =
            ids.iter().map(|&id| keyspace_id(UserId::new(id))).collect();
        assert_eq!(keyspace_ids.len(), ids.len());
    }

    #[test]
    fn a_keyspace_id_gives_back_its_user() {
        for id in [0, 1, 120_038_332_997_988_352, i64::MAX, -1] {
            let user = UserId::new(id);
            assert_eq!(user_id_of(&keyspace_id(user)), Some(user));
        }
        assert_eq!(user_id_of(&[1, 2, 3]), None);
    }
}
