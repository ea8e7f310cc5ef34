//! Sorting the core's short lists (a room's peers, the deadlines due at once) by
//! insertion: at most a few hundred items, often sorted already (an advert's links, the
//! reach searched again), where it does as well as a quicksort. It is a few hundred bytes
//! in the browser package, where each of std's sorts costs 2-4 KB per item type, and the
//! core sorted four types.

/// Sorts `items` so that no item is `less` than one before it; items equal under `less`
/// keep their order.
pub(crate) fn sort_by<T>(items: &mut [T], less: impl Fn(&T, &T) -> bool) {
    for end in 1..items.len() {
        let mut at = end;
        while at > 0 && less(&items[at], &items[at - 1]) {
            items.swap(at, at - 1);
            at -= 1;
        }
    }
}

/// Sorts `items` in ascending order.
pub(crate) fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, |a, b| a < b);
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn sorts_as_std_does_and_keeps_equal_items_in_order(
            mut items in proptest::collection::vec((0u8..8, proptest::num::u16::ANY), 0..64),
        ) {
            let mut by_key = items.clone();
            sort_by(&mut by_key, |a, b| a.0 < b.0);
            let mut expected = items.clone();
            expected.sort_by_key(|item| item.0);
            proptest::prop_assert_eq!(&by_key, &expected);
            sort(&mut items);
            expected.sort();
            proptest::prop_assert_eq!(items, expected);
        }
    }
}
