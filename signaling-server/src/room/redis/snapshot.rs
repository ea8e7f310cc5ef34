//! A room as its Redis hash holds it: `#seq` (the room's event count), bookkeeping fields
//! (`#...`, `@INSTANCE`), and a field per member, `INSTANCE\tTICKET\tORDER\tKEY\tNAME`,
//! tab-separated because the Lua scripts write it (a display name may hold a tab, so it
//! comes last).

use signaling_protocol::{PeerId, PeerInfo};

/// One member as a room's hash holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub info: PeerInfo,
    pub instance: String,
    pub ticket: u64,
    order: u64,
}

/// A room as read from its hash: its event count, and its members in join order.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub seq: u64,
    pub members: Vec<Listed>,
}

impl Snapshot {
    /// Reads the flat field, value list of HGETALL.
    pub fn from_fields(fields: &[String]) -> Self {
        let mut snapshot = Snapshot::default();
        for pair in fields.chunks_exact(2) {
            let (field, value) = (&pair[0], &pair[1]);
            if field == "#seq" {
                snapshot.seq = value.parse().unwrap_or(0);
            } else if !field.starts_with(['#', '@'])
                && let Some(listed) = listed(field, value)
            {
                snapshot.members.push(listed);
            }
        }
        snapshot.members.sort_by_key(|listed| listed.order);
        snapshot
    }
}

/// `INSTANCE\tTICKET\tORDER\tKEY\tNAME` of member `id`.
fn listed(id: &str, value: &str) -> Option<Listed> {
    let mut parts = value.splitn(5, '\t');
    let instance = parts.next()?.to_owned();
    let ticket = parts.next()?.parse().ok()?;
    let order = parts.next()?.parse().ok()?;
    let key = Some(parts.next()?).filter(|key| !key.is_empty()).map(str::to_owned);
    let info = PeerInfo { id: PeerId::from(id), name: parts.next()?.to_owned(), key };
    Some(Listed { info, instance, ticket, order })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_lists_members_in_join_order_and_skips_bookkeeping() {
        let fields: Vec<String> = [
            "#seq",
            "9",
            "#n",
            "2",
            "@ff01",
            "2",
            "bb",
            "ff01\t2\t5\t\tBob",
            "aa",
            "ff01\t1\t4\tk\tAnn",
        ]
        .map(String::from)
        .to_vec();
        let snapshot = Snapshot::from_fields(&fields);
        assert_eq!(snapshot.seq, 9);
        let names: Vec<&str> = snapshot.members.iter().map(|m| m.info.name.as_str()).collect();
        assert_eq!(names, ["Ann", "Bob"]);
    }
}
