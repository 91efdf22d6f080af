//! Duplicate-key detection in linear time, shared by the YAML and JSON readers.
//!
//! Small mappings are searched linearly (no hashing, no allocation); once a mapping outgrows
//! [`LINEAR_LIMIT`] entries, a table from the (keyed) hash of each key's text to its entry
//! makes every further lookup O(1). String keys are compared in place, never copied.

use super::{Entry, Node, Value};
use std::borrow::Cow;
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;

/// Mappings up to this many entries are searched linearly.
const LINEAR_LIMIT: usize = 16;

/// A mapping key's text exactly as [`Node::key_text`] renders it, borrowed for string keys.
pub(crate) fn key_text(node: &Node) -> Cow<'_, str> {
    match &node.value {
        Value::Str(s) => Cow::Borrowed(s),
        _ => Cow::Owned(node.key_text()),
    }
}

/// Finds the entry of a mapping under construction whose key has a given text.
///
/// The caller only appends entries or replaces one with an entry of the same key text; the
/// index catches up with appended entries on the next lookup. Entries that `eligible`
/// rejects are never found (YAML's `<<` merge keys). Among eligible entries, key texts are
/// unique (the caller replaces duplicates), so the first match is the only one.
pub(crate) struct KeyIndex {
    eligible: fn(&Entry) -> bool,
    /// Hash of a key text → the first eligible entry with that hash. Empty while small.
    table: HashMap<u64, usize>,
    /// Keyed per mapping, so input cannot be built to collide.
    state: Option<RandomState>,
    /// Entries `0..indexed` are in `table`.
    indexed: usize,
}

impl KeyIndex {
    pub(crate) fn new(eligible: fn(&Entry) -> bool) -> Self {
        KeyIndex {
            eligible,
            table: HashMap::new(),
            state: None,
            indexed: 0,
        }
    }

    /// Every entry is eligible.
    pub(crate) fn all() -> Self {
        KeyIndex::new(|_| true)
    }

    /// The position in `entries` of the eligible entry whose key text is `text`.
    pub(crate) fn find(&mut self, entries: &[Entry], text: &str) -> Option<usize> {
        if self.state.is_none() && entries.len() <= LINEAR_LIMIT {
            return self.scan(entries, text);
        }
        let state = self.state.get_or_insert_with(RandomState::new);
        let eligible = self.eligible;
        // Entries appended since the last lookup.
        if let Some(new) = entries.get(self.indexed..) {
            self.table.reserve(new.len());
            for (offset, entry) in new.iter().enumerate() {
                if eligible(entry) {
                    let hash = state.hash_one(&*key_text(&entry.key));
                    self.table.entry(hash).or_insert(self.indexed + offset);
                }
            }
        }
        self.indexed = entries.len();
        let hash = state.hash_one(text);
        let &candidate = self.table.get(&hash)?;
        if entries
            .get(candidate)
            .is_some_and(|e| key_text(&e.key) == text)
        {
            return Some(candidate);
        }
        // Two different texts with one 64-bit keyed hash: practically never; stay exact.
        self.scan(entries, text)
    }

    fn scan(&self, entries: &[Entry], text: &str) -> Option<usize> {
        entries
            .iter()
            .position(|e| (self.eligible)(e) && key_text(&e.key) == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::ScalarStyle;
    use crate::source::Span;

    fn entry(value: Value) -> Entry {
        let node = Node::new(value, Span::new(0, 0), ScalarStyle::Plain);
        Entry {
            key: node.clone(),
            value: node,
        }
    }

    #[test]
    fn finds_keys_before_and_after_the_table_is_built() {
        let mut entries = Vec::new();
        let mut index = KeyIndex::all();
        for i in 0..100 {
            let key = format!("k{i}");
            assert_eq!(index.find(&entries, &key), None);
            entries.push(entry(Value::Str(key.into())));
            assert_eq!(index.find(&entries, "k0"), Some(0));
        }
        entries.push(entry(Value::Int(7)));
        entries.push(entry(Value::Null));
        assert_eq!(index.find(&entries, "k99"), Some(99));
        assert_eq!(index.find(&entries, "7"), Some(100));
        assert_eq!(index.find(&entries, "null"), Some(101));
        assert_eq!(index.find(&entries, "k100"), None);
    }

    #[test]
    fn ineligible_entries_are_never_found() {
        let mut index = KeyIndex::new(|e| e.key.as_str() != Some("<<"));
        let entries: Vec<Entry> = (0..40)
            .map(|i| {
                entry(Value::Str(if i % 2 == 0 {
                    "<<".into()
                } else {
                    format!("k{i}").into()
                }))
            })
            .collect();
        assert_eq!(index.find(&entries, "<<"), None);
        assert_eq!(index.find(&entries, "k39"), Some(39));
    }
}
